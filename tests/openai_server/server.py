"""Running the test server with uvicorn in a thread on a loopback port; stop and start again.

The port stays the same across ``stop``/``start``, so a test can take the server down
under a running Baton thread and bring it back for ``baton resume``.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from openai_server.app import create_app
from openai_server.script import Script


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ScriptedServer:
    """The strict scripted OpenAI-compatible server on ``http://127.0.0.1:PORT/v1``."""

    def __init__(self, replies: list[dict[str, Any]] | None = None) -> None:
        self.script = Script()
        self.script.add(replies or [])
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The ``OPENAI_BASE_URL`` that reaches this server."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedServer:
        """Serve until ``stop``; returns once the port accepts connections."""
        config = uvicorn.Config(
            create_app(self.script), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"test server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving; the port refuses connections afterwards."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
