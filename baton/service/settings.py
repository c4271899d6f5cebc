"""The service's settings, from ``BATON_*`` variables or ``.env`` like the graph settings."""

from __future__ import annotations

import ipaddress
import re

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_TENANT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MIN_KEY_CHARS = 8
CLAIM_INTERVAL_S = {"sqlite": 1.0, "postgres": 0.5}
"""Seconds between looks for orphaned runs when unset: across machines (PostgreSQL) they
are part of a dead replica's recovery time, on one machine a dead pid is seen at start."""
LOCAL_TENANT = "local"
"""The one tenant of a service started without API keys (loopback only)."""


class ServiceSettings(BaseSettings):
    """How ``baton serve`` listens, who may call it and its limits."""

    model_config = SettingsConfigDict(
        env_prefix="BATON_", env_file=".env", extra="ignore", validate_default=True
    )

    serve_host: str = Field(default="127.0.0.1", description="Address to listen on.")
    serve_port: int = Field(default=8123, ge=1, le=65535, description="Port to listen on.")
    api_keys: SecretStr | None = Field(
        default=None,
        description="API keys and their tenants, 'KEY=TENANT,KEY=TENANT'. Unset: loopback "
        "only, one tenant.",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, le=64 * 1_048_576, description="Largest request body."
    )
    sse_heartbeat_s: float = Field(
        default=15.0, gt=0, le=300, description="Seconds between SSE keep-alive comments."
    )
    lease_ttl_s: float = Field(
        default=600.0, ge=5, le=86_400, description="Thread lease lifetime; renewed at a third."
    )
    replica_timeout_s: float = Field(
        default=2.0,
        ge=0.5,
        le=600,
        description="PostgreSQL: a replica whose heartbeat (sent every quarter of this) is "
        "older than this has its threads taken over by another.",
    )
    claim_interval_s: float | None = Field(
        default=None,
        ge=0.05,
        le=60,
        description="Seconds between looks for unfinished runs no live replica drives "
        f"(unset: {CLAIM_INTERVAL_S['sqlite']:g} on SQLite, "
        f"{CLAIM_INTERVAL_S['postgres']:g} on PostgreSQL).",
    )
    max_queued_runs: int = Field(
        default=20, ge=1, le=1000, description="Runs a thread may queue (enqueue strategy)."
    )

    @field_validator("api_keys")
    @classmethod
    def _keys_parse(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            parse_api_keys(value.get_secret_value())
            return value
        return None

    def claim_every(self, engine: str) -> float:
        """Seconds between looks for orphaned runs on ``engine`` (``claim_interval_s``)."""
        if self.claim_interval_s is not None:
            return self.claim_interval_s
        return CLAIM_INTERVAL_S[engine]

    def keys(self) -> dict[str, str]:
        """API key -> tenant (empty when no keys are configured)."""
        return parse_api_keys(self.api_keys.get_secret_value()) if self.api_keys else {}

    def loopback_only(self) -> bool:
        """Whether ``serve_host`` is a loopback address or ``localhost``."""
        if self.serve_host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.serve_host).is_loopback
        except ValueError:
            return False


def parse_api_keys(text: str) -> dict[str, str]:
    """``'KEY=TENANT,KEY=TENANT'`` as a dict; a malformed item raises ``ValueError``."""
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, tenant = item.partition("=")
        key, tenant = key.strip(), tenant.strip()
        if not sep or not key or not tenant:
            raise ValueError("each API key item must look like KEY=TENANT")
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(f"API keys must have at least {MIN_KEY_CHARS} characters")
        if not _TENANT.match(tenant):
            raise ValueError(f"tenant names use 1-64 of A-Z a-z 0-9 _ . - (got {tenant!r})")
        if key in keys:
            raise ValueError("an API key is listed twice")
        keys[key] = tenant
    return keys
