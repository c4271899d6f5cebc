"""A real SMTP server on a free loopback port, for the tests that send email."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


@contextmanager
def serve_smtp(handler: object) -> Iterator[str]:
    """Run an aiosmtpd server with ``handler``; yield its ``smtp://`` URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
