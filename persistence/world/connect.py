"""Opening the world's SQLite file (``world.db``).

Which engine holds the world is ``persistence.world.store``'s business; the file helpers
themselves are ``persistence.sqlite.files``.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from persistence.sqlite.files import open_sqlite

if TYPE_CHECKING:
    from persistence.world.place import WorldPlace


def connect(world: WorldPlace, readonly: bool = False) -> sqlite3.Connection:
    """Open the world's SQLite file (one that ``World.check`` accepts); see ``store``."""
    return open_sqlite(world.db_path, readonly=readonly)
