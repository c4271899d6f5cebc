"""A small OpenAI-compatible server of the project's own, strict as mainstream servers are.

It enforces what llama.cpp's and vLLM's servers enforce (``rules``), answers from a queue
of scripted replies (``script``) and logs every request, so tests can drive Baton through
a real HTTP server on loopback and assert that no request was rejected.
"""
