"""``baton serve``: the LangGraph Server API over HTTP (FastAPI + uvicorn).

Its help lists every setting with its variable and default; building that list imports
the settings (and LangChain), so it happens only when ``--help`` is asked for.
"""

from __future__ import annotations

import argparse
import socket
from typing import Any

from baton.console import say
from baton.errors import BadInput
from baton.settings import ensure_home_writable, load_settings, require_world


class _HelpWithSettings(argparse.Action):
    """``-h/--help`` that lists the settings (imported only now)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.epilog = settings_help()
        parser.print_help()
        parser.exit()


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve``."""
    parser = commands.add_parser(
        "serve",
        help="serve the LangGraph Server API over HTTP",
        description="Serve Baton's graphs over HTTP as the LangGraph Server API (the part "
        "langgraph-sdk, RemoteGraph and Agent Chat UI call). Runs survive a restart; with "
        "no API keys the server listens on loopback only.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument(
        "-h", "--help", action=_HelpWithSettings, help="show this help and every setting"
    )
    parser.add_argument("--host", help="address to listen on (overrides BATON_SERVE_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides BATON_SERVE_PORT)")
    parser.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="info",
        help="server log level (default info)",
    )
    parser.set_defaults(handler=serve_command)


def _env_name(prefix: str, name: str, field: Any) -> str:
    alias = getattr(field.validation_alias, "choices", None)
    return str(alias[0]) if alias else f"{prefix}{name.upper()}"


def _default(field: Any) -> str:
    default = field.get_default(call_default_factory=True)
    if default is None:
        return "unset"
    return str(default)


def settings_help() -> str:
    """Every setting of the service and of the graphs: variable, default, meaning."""
    from baton.service.settings import ServiceSettings
    from graphs.settings import Settings

    lines = ["settings (environment variables or .env):"]
    for title, model in (("service", ServiceSettings), ("graphs", Settings)):
        lines.append(f"  {title}:")
        for name, field in model.model_fields.items():
            meaning = f"  {field.description}" if field.description else ""
            lines.append(
                f"    {_env_name('BATON_', name, field)} (default {_default(field)}){meaning}"
            )
    return "\n".join(lines)


def _can_bind(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_command(args: argparse.Namespace) -> int:
    """Check the settings and the address, then serve until stopped."""
    import uvicorn
    from pydantic import ValidationError

    from baton.service.app import create_app
    from baton.service.settings import ServiceSettings

    overrides = {k: v for k, v in (("serve_host", args.host), ("serve_port", args.port)) if v}
    try:
        service = ServiceSettings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise BadInput(f"invalid setting BATON_{where.upper()}: {first['msg']}") from None
    settings = load_settings()
    keys = service.keys()
    if not keys and not service.loopback_only():
        raise BadInput(
            f"no API keys configured (BATON_API_KEYS), so baton serve listens on loopback "
            f"only; refusing {service.serve_host}"
        )
    ensure_home_writable(settings)
    _can_bind(service.serve_host, service.serve_port)
    require_world(settings)  # the service acts on the world: a missing one names the fix
    say(f"baton serve: http://{service.serve_host}:{service.serve_port} (home {settings.home})")
    if keys:
        say(f"api keys: {len(keys)} for tenants {', '.join(sorted(set(keys.values())))}")
    else:
        say("api keys: none configured; loopback only, one tenant (set BATON_API_KEYS to open up)")
    uvicorn.run(
        create_app(settings, service),
        host=service.serve_host,
        port=service.serve_port,
        log_level=args.log_level,
        timeout_graceful_shutdown=10,
    )
    return 0
