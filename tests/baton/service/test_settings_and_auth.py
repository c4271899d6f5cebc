"""API keys, tenants and where the service may listen."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from baton.service.auth import KeyRing, presented_key
from baton.service.errors import ApiError
from baton.service.settings import ServiceSettings, parse_api_keys


def test_keys_map_to_tenants() -> None:
    assert parse_api_keys(" key-one-123=acme , key-two-456=globex ") == {
        "key-one-123": "acme",
        "key-two-456": "globex",
    }


@pytest.mark.parametrize(
    "text",
    ["nokeyhere", "short=acme", "key-one-123=", "key-one-123=bad tenant", "k-123456=a,k-123456=b"],
)
def test_malformed_keys_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(_env_file=None, api_keys=text)  # type: ignore[call-arg]
    assert "k-123456" not in refused.value.errors()[0]["msg"]


def test_the_key_ring_names_the_caller() -> None:
    ring = KeyRing({"key-one-123": "acme"})
    assert ring.tenant_for("key-one-123") == "acme"
    for bad in (None, "", "key-one-124"):
        with pytest.raises(ApiError) as refused:
            ring.tenant_for(bad)
        assert refused.value.status == 401
    assert KeyRing({}).tenant_for(None) == "local"


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": raw})


def test_keys_come_from_x_api_key_or_a_bearer_token() -> None:
    assert presented_key(_request({"x-api-key": " k1 "})) == "k1"
    assert presented_key(_request({"Authorization": "Bearer k2"})) == "k2"
    assert presented_key(_request({"Authorization": "Basic k3"})) is None
    assert presented_key(_request({})) is None


def test_loopback_addresses() -> None:
    for host, loopback in (
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("example.org", False),
    ):
        settings = ServiceSettings(_env_file=None, serve_host=host)  # type: ignore[call-arg]
        assert settings.loopback_only() is loopback, host
