"""What the numbers were measured on: cores, Python, SQLite and LangGraph versions."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib.metadata import version
from typing import Any


def machine_info() -> dict[str, Any]:
    """A description of this machine and the library versions in use."""
    return {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "langgraph": version("langgraph"),
        "langgraph_checkpoint_sqlite": version("langgraph-checkpoint-sqlite"),
    }
