"""What ``baton prune``, ``fork`` and ``delete`` share: the saver, and how a removal reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from baton.console import print_json, say

if TYPE_CHECKING:
    from graphs.checkpointer import Saver
    from graphs.settings import Settings
    from persistence.upkeep import Removal


@contextmanager
def opened_saver(settings: Settings) -> Iterator[Saver]:
    """Baton's sync saver on the configured database, closed afterwards."""
    from graphs.checkpointer import open_checkpointer

    saver = open_checkpointer(settings.database)
    try:
        yield saver
    finally:
        saver.close()


def _kib(n: int) -> str:
    return f"{n / 1024:.1f} KiB"


def report_removal(removal: Removal, returned: int | None, as_json: bool) -> None:
    """Say what was removed (or would be), and the space the file gave back."""
    if as_json:
        document: dict[str, Any] = {
            "dry_run": removal.dry_run,
            "threads": removal.thread_ids,
            "checkpoints": removal.checkpoints,
            "writes": removal.writes,
            "bytes": removal.bytes,
            "skipped": removal.skipped,
            "materialised": removal.materialised,
            "returned_bytes": returned,
        }
        print_json(document)
        return
    verb = "would remove" if removal.dry_run else "removed"
    threads = ", ".join(removal.thread_ids) or "none"
    say(
        f"{verb} {removal.checkpoints} checkpoints and {removal.writes} writes "
        f"({_kib(removal.bytes)}) from threads: {threads}"
    )
    if removal.skipped:
        say(f"left alone (state rebuilt from history): {', '.join(removal.skipped)}")
    if removal.materialised:
        say(f"kept checkpoints that rebuilt state from removed ones: {removal.materialised}")
    if returned is not None:
        say(f"vacuum returned {_kib(returned)} to the file system")
