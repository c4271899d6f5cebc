"""Merging a batch's inserts: fewer executemany calls, same rows, writes in order."""

from __future__ import annotations

from graphs.saver_rows import INSERT_CHECKPOINT, merged

IGNORE = "INSERT OR IGNORE INTO writes"
REPLACE = "INSERT OR REPLACE INTO writes"


def test_checkpoints_share_one_call_and_writes_keep_their_order() -> None:
    batch = [
        (IGNORE, [("w1",)]),
        (INSERT_CHECKPOINT, [("c1",)]),
        (IGNORE, [("w2",)]),
        (REPLACE, [("r1",)]),
        (INSERT_CHECKPOINT, [("c2",)]),
        (IGNORE, [("w3",)]),
    ]
    out = merged(batch)
    assert out[0] == (INSERT_CHECKPOINT, [("c1",), ("c2",)])
    # consecutive writes with one verb share a call; a REPLACE stays between its neighbours
    assert out[1:] == [(IGNORE, [("w1",), ("w2",)]), (REPLACE, [("r1",)]), (IGNORE, [("w3",)])]
    assert batch[0] == (IGNORE, [("w1",)])  # the callers' statements are not changed


def test_an_empty_batch_merges_to_nothing() -> None:
    assert merged([]) == []
