"""How Baton talks to an OpenAI-compatible server: request shapes every server accepts."""
