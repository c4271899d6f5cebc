"""``agents.models.local_server`` against a stand-in ``llama_cpp.server`` process on loopback.

The real server (llama-cpp-python compiled from source) runs in ``make test-local``; here a
tiny module of the same name, put on ``PYTHONPATH``, answers ``/v1/models`` so that start,
wait, the ChatOpenAI configuration and stop run as real processes and real HTTP.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from agents.models import local_server
from agents.models.tiers import ModelConfig

FAKE_SERVER = """
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
config = json.load(open(sys.argv[sys.argv.index("--config_file") + 1]))
names = [m["model_alias"] for m in config["models"]]
if any(m["n_ctx"] != 4096 for m in config["models"]):
    sys.exit("n_ctx must be 4096")
class Models(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"data": [{"id": n} for n in names]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
HTTPServer((config["host"], config["port"]), Models).serve_forever()
"""


@pytest.fixture
def fake_llama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    server = tmp_path / "pkgs" / "llama_cpp" / "server"
    server.mkdir(parents=True)
    (server.parent / "__init__.py").write_text("")
    (server / "__init__.py").write_text("")
    (server / "app.py").write_text("")
    (server / "__main__.py").write_text(FAKE_SERVER)
    (tmp_path / "pkgs" / "uvicorn.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "pkgs"))
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF")
    return {"BATON_PROVIDER": "local", "BATON_FAST_GGUF": str(gguf), "BATON_STRONG_GGUF": str(gguf)}


def test_without_the_provider_setting_nothing_changes() -> None:
    config = ModelConfig()
    assert local_server.configured(config, {}) is config


def test_a_given_base_url_is_used_and_nothing_is_started() -> None:
    config = ModelConfig(base_url="http://127.0.0.1:9/v1")
    got = local_server.configured(config, {"BATON_PROVIDER": "local"})
    assert got.base_url == "http://127.0.0.1:9/v1"
    assert got.api_key == local_server.LOCAL_KEY


def test_the_server_starts_on_a_free_loopback_port_answers_and_stops(
    fake_llama: dict[str, str],
) -> None:
    with local_server.local_server(fake_llama) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        models = httpx.get(f"{server.base_url}/models", timeout=5).json()
        assert [m["id"] for m in models["data"]] == ["fast"]
        assert (server.fast_model, server.strong_model) == ("fast", "fast")
        process = server.process
    assert process.poll() is not None


def test_two_gguf_files_are_two_models_of_one_server(
    fake_llama: dict[str, str], tmp_path: Path
) -> None:
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF")
    with local_server.local_server({**fake_llama, "BATON_STRONG_GGUF": str(other)}) as server:
        config_file = server.log_path.with_name("server.json")
        models = json.loads(config_file.read_text())["models"]
        assert [(m["model_alias"], m["model"]) for m in models] == [
            ("fast", fake_llama["BATON_FAST_GGUF"]),
            ("strong", str(other)),
        ]
        assert server.strong_model == "strong"


def test_a_server_that_exits_is_a_one_line_error_with_its_log(fake_llama: dict[str, str]) -> None:
    with pytest.raises(local_server.LocalUnavailable, match=r"server exited .*n_ctx must be 4096"):
        local_server.start_server({**fake_llama, "BATON_LOCAL_N_CTX": "99"})


def test_missing_pieces_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(local_server.LocalUnavailable, match="no such file"):
        local_server._gguf({"BATON_FAST_GGUF": str(tmp_path / "nope.gguf")}, "BATON_FAST_GGUF", "")
    has_llama = local_server.subprocess.run([sys.executable, "-c", "import llama_cpp"]).returncode
    if has_llama == 0:
        pytest.skip("this interpreter has llama-cpp-python")
    with pytest.raises(local_server.LocalUnavailable, match=r"pip install -e '\.\[local\]'"):
        local_server.start_server({"BATON_PROVIDER": "local"})
