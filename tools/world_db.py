"""The SQLite openers, as the effect ledger imports them (``persistence.world.connect``)."""

from __future__ import annotations

from persistence.world.connect import immediate, open_readonly, open_sqlite, utc_timestamp

__all__ = ["immediate", "open_readonly", "open_sqlite", "utc_timestamp"]
