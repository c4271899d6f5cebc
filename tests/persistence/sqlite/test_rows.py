"""Merging a batch's inserts: fewer executemany calls, same rows, writes in order."""

from __future__ import annotations

from typing import Any

from persistence.sqlite.rows import INSERT_CHECKPOINT, merged

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


def test_a_replacing_write_of_a_run_keeps_what_it_replaces_first() -> None:
    from langgraph.checkpoint.base import INTERRUPT
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from persistence.sqlite.rows import SAVE_REPLACED, writes_statements

    serde = JsonPlusSerializer()
    config: dict[str, Any] = {
        "configurable": {"thread_id": "t", "checkpoint_ns": "", "checkpoint_id": "c"},
        "metadata": {"run_id": "r2"},
    }
    save, insert = writes_statements(serde, config, [(INTERRUPT, "why?")], "task", "")
    assert save == (SAVE_REPLACED, [("r2", "t", "", "c", "task", -3, "r2")])
    assert insert[0].startswith("INSERT OR REPLACE") and insert[1][0][-1] == "r2"
    # ordinary channels never replace, and a write outside any run has nothing to undo
    (plain,) = writes_statements(serde, config, [("results", 1)], "task", "")
    assert plain[0].startswith("INSERT OR IGNORE")
    del config["metadata"]
    (no_run,) = writes_statements(serde, config, [(INTERRUPT, "why?")], "task", "")
    assert no_run[0].startswith("INSERT OR REPLACE") and no_run[1][0][-1] == ""
