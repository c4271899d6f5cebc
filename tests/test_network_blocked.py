"""The test suite cannot reach the network: only loopback connections are allowed."""

from __future__ import annotations

import os
import socket

import pytest
from pytest_socket import SocketConnectBlockedError

from graphs.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket")


def test_connecting_to_a_private_address_is_blocked() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(SocketConnectBlockedError),
    ):
        sock.settimeout(0.5)
        sock.connect(("10.0.0.1", 443))


def test_connecting_to_a_public_address_is_blocked() -> None:
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("203.0.113.7", 80), timeout=0.5)


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            conn, _ = server.accept()
            conn.close()


def test_provider_variables_are_unset_so_models_are_offline(settings: Settings) -> None:
    assert "OPENAI_API_KEY" not in os.environ
    assert "LANGSMITH_TRACING" not in os.environ
    assert settings.openai_api_key is None
    assert settings.model_config_for_agents().api_key is None
