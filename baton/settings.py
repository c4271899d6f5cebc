"""Loading Baton's settings for the CLI, with errors a person can act on.

``graphs.settings`` is imported inside the functions: it pulls in LangChain, and
``baton --help`` must not pay for that.
"""

from __future__ import annotations

import os
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
