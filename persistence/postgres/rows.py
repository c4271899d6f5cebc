"""The rows Baton's PostgreSQL savers write: the stock schema, built before the commit.

``langgraph-checkpoint-postgres`` builds and sends these inside each ``put`` and
``put_writes``; Baton builds them first (the same serialization: primitives inline in the
checkpoint's JSON, other values and each ``_DeltaSnapshot`` as blobs), so that one
transaction can carry the rows of many calls (``persistence.postgres.commit``). Writes
also carry the run that made them, and a replacing write made by a run first keeps the
row it replaces when another run made it (see ``persistence.postgres.schema``).

The checkpoint and its metadata are turned into JSON text here (``json.dumps``, what
psycopg's ``Jsonb`` would send; the server casts it), so a row waiting for its commit
round holds strings and bytes only, not copies of the checkpoint's dicts. At 200
concurrent threads those live objects were what made the interpreter's cyclic garbage
collector run a third full collection per run (0.3-0.4 s each on this machine).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.postgres.base import (
    UPSERT_CHECKPOINT_BLOBS_SQL,
    UPSERT_CHECKPOINTS_SQL,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.types import _DeltaSnapshot

from persistence.checkpoint_config import run_id_of

Statement = tuple[str, list[tuple[Any, ...]]]
"""One SQL statement and the parameter rows to run it with (``executemany``)."""

_WRITE_COLUMNS = (
    "INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, "
    "idx, channel, type, blob, run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) "
)
INSERT_WRITES = _WRITE_COLUMNS + "DO NOTHING"
UPSERT_WRITES = (
    _WRITE_COLUMNS + "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, "
    "blob = EXCLUDED.blob, task_path = EXCLUDED.task_path, run_id = EXCLUDED.run_id"
)
SAVE_REPLACED = (
    "INSERT INTO checkpoint_replaced_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, "
    "task_path, idx, channel, type, blob, run_id, replaced_by) SELECT thread_id, checkpoint_ns, "
    "checkpoint_id, task_id, task_path, idx, channel, type, blob, run_id, %s FROM "
    "checkpoint_writes WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s AND "
    "task_id = %s AND idx = %s AND run_id <> %s ON CONFLICT DO NOTHING"
)
"""Keep the row a special-channel write is about to replace, if another run made it."""


def checkpoint_statements(
    serde: SerializerProtocol,
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    new_versions: ChannelVersions,
) -> list[Statement]:
    """The blob upserts and the checkpoint upsert of one ``put``, as the stock saver does."""
    configurable = config["configurable"]
    thread_id = str(configurable["thread_id"])
    namespace = str(configurable["checkpoint_ns"])
    stored = dict(checkpoint)
    inline = dict(checkpoint["channel_values"])
    blobs: dict[str, Any] = {}
    for key, value in checkpoint["channel_values"].items():
        if isinstance(value, _DeltaSnapshot):
            blobs[key] = inline.pop(key)
            inline[key] = True  # the stock marker: the value is the blob
        elif not (value is None or isinstance(value, (str, int, float, bool))):
            blobs[key] = inline.pop(key)
    stored["channel_values"] = inline
    statements: list[Statement] = []
    versions = {k: v for k, v in new_versions.items() if k in blobs}
    if versions:
        blob_rows = [
            (thread_id, namespace, k, cast(str, v), *serde.dumps_typed(blobs[k]))
            for k, v in versions.items()
        ]
        statements.append((UPSERT_CHECKPOINT_BLOBS_SQL, blob_rows))
    row = (
        thread_id,
        namespace,
        checkpoint["id"],
        configurable.get("checkpoint_id"),
        json.dumps(stored),
        json.dumps(get_serializable_checkpoint_metadata(config, metadata)),
    )
    statements.append((UPSERT_CHECKPOINTS_SQL, [row]))
    return statements


def writes_statements(
    serde: SerializerProtocol,
    config: RunnableConfig,
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
) -> list[Statement]:
    """The insert of one task's writes (special channels replace, others keep the first)."""
    configurable = config["configurable"]
    replace = all(w[0] in WRITES_IDX_MAP for w in writes)
    run_id = run_id_of(config)
    rows = [
        (
            str(configurable["thread_id"]),
            str(configurable["checkpoint_ns"]),
            str(configurable["checkpoint_id"]),
            task_id,
            task_path,
            WRITES_IDX_MAP.get(channel, idx),
            channel,
            *serde.dumps_typed(value),
            run_id,
        )
        for idx, (channel, value) in enumerate(writes)
    ]
    insert = (UPSERT_WRITES if replace else INSERT_WRITES, rows)
    if not replace or not run_id:
        return [insert]
    keys = [(run_id, *row[:4], row[5], run_id) for row in rows]
    return [(SAVE_REPLACED, keys), insert]


def merged(statements: Sequence[Statement]) -> list[Statement]:
    """The same statements in as few ``executemany`` calls as keeps their meaning.

    Blob rows all go first (a blob is keyed by its channel version and never updated), then
    every checkpoint row in order; writes keep their order, consecutive statements with
    the same SQL sharing a call, so a replaced write still lands after the one it replaces.
    """
    blobs: list[tuple[Any, ...]] = []
    checkpoints: list[tuple[Any, ...]] = []
    writes: list[Statement] = []
    for sql, rows in statements:
        if sql == UPSERT_CHECKPOINT_BLOBS_SQL:
            blobs.extend(rows)
        elif sql == UPSERT_CHECKPOINTS_SQL:
            checkpoints.extend(rows)
        elif writes and writes[-1][0] == sql:
            writes[-1][1].extend(rows)
        else:
            writes.append((sql, list(rows)))
    head: list[Statement] = [(UPSERT_CHECKPOINT_BLOBS_SQL, blobs)] if blobs else []
    if checkpoints:
        head.append((UPSERT_CHECKPOINTS_SQL, checkpoints))
    return head + writes


_CONFLICT_WRITES = "ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) "
_BULK: dict[str, tuple[str, tuple[int, ...]]] = {
    UPSERT_CHECKPOINT_BLOBS_SQL: (
        "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) "
        "SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], "
        "%b::bytea[]) ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING",
        (),
    ),
    UPSERT_CHECKPOINTS_SQL: (
        "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, "
        "checkpoint, metadata) SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], "
        "%b::text[], %b::text[]::jsonb[], %b::text[]::jsonb[]) "
        "ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET "
        "checkpoint = EXCLUDED.checkpoint, "
        "metadata = EXCLUDED.metadata",
        (0, 1, 2),
    ),
    INSERT_WRITES: (
        _WRITE_COLUMNS.split(" VALUES ")[0] + " SELECT * FROM unnest(%b::text[], %b::text[], "
        "%b::text[], %b::text[], %b::text[], %b::int[], %b::text[], %b::text[], %b::bytea[], "
        "%b::text[]) " + _CONFLICT_WRITES + "DO NOTHING",
        (),
    ),
    UPSERT_WRITES: (
        _WRITE_COLUMNS.split(" VALUES ")[0] + " SELECT * FROM unnest(%b::text[], %b::text[], "
        "%b::text[], %b::text[], %b::text[], %b::int[], %b::text[], %b::text[], %b::bytea[], "
        "%b::text[]) " + UPSERT_WRITES.split("ON CONFLICT ")[1].join(["ON CONFLICT ", ""]),
        (0, 1, 2, 3, 5),
    ),
}
"""Each row-at-a-time statement as one statement over arrays, and the key it upserts on."""


def bulk(sql: str, rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]] | None:
    """``sql`` over all ``rows`` at once (``unnest`` of one array per column), or None.

    One statement instead of one per row: the server parses and plans it once. The arrays
    go in binary (``%b``): in text, psycopg escapes every element with a regular
    expression, which cost 0.76 s of the event loop's 6.2 s in a 200-thread profile. An
    upsert keeps the last row of each key (one statement may not update a row twice); an
    insert that ignores conflicts keeps the first, as row by row would.
    """
    found = _BULK.get(sql)
    if found is None:
        return None
    statement, key = found
    if key:
        latest = {tuple(row[i] for i in key): row for row in rows}
        rows = list(latest.values())
    return statement, [list(column) for column in zip(*rows, strict=True)]


__all__ = [
    "Statement",
    "bulk",
    "checkpoint_statements",
    "merged",
    "writes_statements",
]
