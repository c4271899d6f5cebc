"""``python -m openai_server --script replies.json [--port N]`` (run from ``tests/``).

Serves the scripted replies on ``http://127.0.0.1:PORT/v1`` until interrupted; more
replies can be posted to ``/admin/replies`` and the request log read at ``/admin/requests``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import uvicorn

from openai_server.app import create_app
from openai_server.script import Script
from openai_server.server import free_port


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m openai_server")
    parser.add_argument("--script", type=Path, help="a JSON list of scripted replies")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    script = Script()
    if args.script is not None:
        script.add(json.loads(args.script.read_text(encoding="utf-8")))
    port = args.port or free_port()
    print(f"OPENAI_BASE_URL=http://127.0.0.1:{port}/v1", flush=True)
    uvicorn.run(create_app(script), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
