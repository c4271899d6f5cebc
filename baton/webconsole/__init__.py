"""The operator's console: an approval inbox, a thread view and a threads list in the browser.

Served by ``baton serve`` under ``/console``: static pages (HTML, one script, one style
sheet, shipped as package data; no CDN, no build step) that call the JSON endpoints under
``/console/api`` with the operator's API key as a bearer token, so a tenant sees only its
own threads, exactly as through the LangGraph Server API.
"""
