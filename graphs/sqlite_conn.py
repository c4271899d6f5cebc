"""Where the SQLite stores still in ``graphs/`` (budget, trace, audit) open their file.

The opener itself lives in ``persistence.sqlite.connect``; these names stay importable
from here until those stores move into ``persistence/`` too.
"""

from persistence.sqlite.connect import BUSY_TIMEOUT_MS, PRAGMAS, connect, session

__all__ = ["BUSY_TIMEOUT_MS", "PRAGMAS", "connect", "session"]
