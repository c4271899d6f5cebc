"""API keys and tenants: who is calling, from ``Authorization: Bearer`` or ``x-api-key``.

Each key maps to a tenant (``BATON_API_KEYS``); a thread and its runs belong to the tenant
that created them and are invisible to the others. With no keys configured the service
has one tenant and listens on loopback only (``baton serve`` refuses anything else).
"""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.security import APIKeyHeader, HTTPBearer

from baton.service.errors import ApiError
from baton.service.settings import LOCAL_TENANT

BEARER = HTTPBearer(auto_error=False, description="An API key from BATON_API_KEYS.")
API_KEY_HEADER = APIKeyHeader(
    name="x-api-key", auto_error=False, description="An API key (langgraph-sdk sends this)."
)


class KeyRing:
    """The configured keys; ``tenant_of`` names the caller of a request."""

    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = [(key.encode(), tenant) for key, tenant in keys.items()]

    @property
    def open(self) -> bool:
        """No keys configured: every caller is the local tenant."""
        return not self._keys

    def tenant_for(self, presented: str | None) -> str:
        """The tenant of ``presented``; 401 if it is missing or unknown."""
        if self.open:
            return LOCAL_TENANT
        if not presented:
            raise ApiError(401, "missing API key: send Authorization: Bearer KEY or x-api-key")
        given = presented.encode()
        tenant = None
        for key, name in self._keys:  # compare with every key: no early exit to time
            if hmac.compare_digest(key, given):
                tenant = name
        if tenant is None:
            raise ApiError(401, "unknown API key")
        return tenant


def presented_key(request: Request) -> str | None:
    """The key a request carries, from ``x-api-key`` or a bearer token."""
    if key := request.headers.get("x-api-key"):
        return key.strip()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None
