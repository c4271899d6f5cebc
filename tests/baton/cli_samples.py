"""Sample requests and file fingerprints shared by the CLI tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

DOUBLE_CHARGE = (
    "Customer 1042 was charged twice for order 5531. Please refund the duplicate charge "
    "and let them know by email."
)
BUG_REPORT = (
    "Bug report from customer 1077: the mobile app crashes when I tap Export on the dashboard."
)


def fingerprint(home: Path) -> dict[str, str]:
    """Every file under ``home`` and a hash of its bytes."""
    if not home.exists():
        return {}
    return {
        str(path.relative_to(home)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.rglob("*"))
        if path.is_file()
    }
