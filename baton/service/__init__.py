"""``baton serve``: the LangGraph Server API that langgraph-sdk, RemoteGraph and chat UIs call.

Over Baton's durable runtime: one run per thread, durable run records and stream event
log, API keys per tenant.
"""
