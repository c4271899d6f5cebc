"""Loading Baton's settings for the CLI, with errors a person can act on.

``graphs.settings`` is imported inside the functions: it pulls in LangChain, and
``baton --help`` must not pay for that.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baton.errors import BadInput

if TYPE_CHECKING:
    from graphs.settings import Settings


def load_settings(**overrides: Any) -> Settings:
    """Settings from ``BATON_*`` variables and ``.env``; a bad value is a one-line ``BadInput``."""
    from pydantic import ValidationError

    from graphs.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise BadInput(f"invalid setting {where} (BATON_{where.upper()}): {first['msg']}") from None


def light_setting(name: str) -> str | None:
    """A setting as ``Settings`` reads it (environment, then ``.env``), without loading it.

    For ``baton threads``, which must answer without pydantic-settings; a test holds it to
    ``Settings``. Names are matched case-insensitively, as ``Settings`` matches them.
    """
    found = {k.upper(): v for k, v in os.environ.items()}.get(name.upper())
    if found is None and Path(".env").is_file():
        from dotenv import dotenv_values

        found = {k.upper(): v for k, v in dotenv_values(".env").items()}.get(name.upper())
    return found or None


def home_path() -> Path:
    """``BATON_HOME`` as ``Settings`` reads it (environment, then ``.env``, then ``.baton``)."""
    return Path(light_setting("BATON_HOME") or ".baton")


def require_world(settings: Settings) -> None:
    """``BadInput`` naming the fix unless the home has a readable world (creates nothing)."""
    from tools.world import World, WorldUnavailable, world_database

    try:
        World(settings.home, database=world_database(settings.database)).check()
    except WorldUnavailable as exc:
        raise BadInput(str(exc)) from None


def ensure_home_writable(settings: Settings) -> None:
    """Create ``BATON_HOME`` if missing and check it is writable, without opening a database."""
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BadInput(f"BATON_HOME {home} is not writable: {reason}") from None
    if not home.is_dir() or not os.access(home, os.W_OK | os.X_OK):
        raise BadInput(f"BATON_HOME {home} is not writable")
