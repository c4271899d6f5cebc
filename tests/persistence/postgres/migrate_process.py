"""``python migrate_process.py URL GO_FILE``: wait for GO_FILE, migrate, print what it applied.

Several of these start together in the migration test, as replicas would.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from persistence.database import PostgresDatabase
from persistence.postgres.migrate import migrate
from persistence.postgres.pool import open_pool
from persistence.postgres.schema import CHECKPOINT_MIGRATIONS


def main(url: str, go: Path) -> None:
    """Open a pool, wait for the signal, apply the checkpoint store's migrations."""
    pool = open_pool(PostgresDatabase(url, min_size=1, max_size=1))
    while not go.exists():
        time.sleep(0.001)
    with pool.connection() as conn:
        applied = migrate(conn, "checkpoints", CHECKPOINT_MIGRATIONS, stock_checkpoints=True)
    pool.close()
    print(json.dumps(applied))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
