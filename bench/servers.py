"""Server processes for the ``serve`` workload: ``baton serve`` and ``langgraph dev``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATON_", "OPENAI_"))}
    env.update(
        BATON_HOME=str(home),
        LANGSMITH_TRACING="false",
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def _process(argv: list[str], env: dict[str, str], url: str, log: Path) -> Iterator[str]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/ok", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[1:3]} did not start; see {log}") from None
                time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def baton_serve(
    home: Path, env: dict[str, str] | None = None, log_name: str = "serve.log"
) -> Iterator[str]:
    """``baton serve`` on a free loopback port over ``home`` (with ``env`` added); its URL."""
    port = _free_port()
    full = {**_env(home), **(env or {})}
    full["BATON_SERVE_PORT"] = str(port)
    argv = [sys.executable, "-m", "baton", "serve", "--log-level", "warning"]
    with _process(argv, full, f"http://127.0.0.1:{port}", home.parent / log_name) as url:
        yield url


@contextmanager
def langgraph_dev(home: Path) -> Iterator[str]:
    """``langgraph dev`` on the same graphs (``langgraph.json``) over ``home``; its URL."""
    port = _free_port()
    cli = Path(sys.executable).with_name("langgraph")
    argv = [
        str(cli),
        "dev",
        "--no-browser",
        "--no-reload",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config",
        str(REPO / "langgraph.json"),
    ]
    with _process(argv, _env(home), f"http://127.0.0.1:{port}", home.parent / "dev.log") as url:
        yield url
