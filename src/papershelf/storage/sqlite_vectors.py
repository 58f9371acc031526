"""Passage vectors in the SQLite store: float32 BLOBs beside the passage rows, tagged with the id of
the embedder that made them, plus the store version that tells readers when to reload.

Passage keys (rowids) are never reused, even after a paper is removed, so a vector computed for
key k can only ever land on the passage it was computed from. Each vector is stamped with the
store version its write moved the store to, so a reader holding the vectors of version v reads
again only the rows stamped past v (`load_vectors_since`).
"""

import json
import sqlite3
from collections.abc import Sequence

import numpy as np

from papershelf.core.errors import StoreError
from papershelf.core.models import Passage
from papershelf.storage import sqlite_rows as rows
from papershelf.storage.base import PendingPassage, VectorSet

VERSION_KEY = "data_version"
KEY_HIGH_WATER = "passage_key_high"


def bump_version(conn: sqlite3.Connection) -> None:
    """Mark that passages or vectors changed; call inside the write transaction that changed them."""
    bump_counter(conn, VERSION_KEY)


def bump_counter(conn: sqlite3.Connection, key: str) -> None:
    """Add one to a counter in store_meta (from 1 when it is missing)."""
    conn.execute(
        "INSERT INTO store_meta(key, value) VALUES (?, '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        (key,),
    )


def read_version(conn: sqlite3.Connection) -> str:
    found = conn.execute("SELECT value FROM store_meta WHERE key = ?", (VERSION_KEY,)).fetchone()
    return "0" if found is None else str(found[0])


def next_passage_key(conn: sqlite3.Connection, count: int) -> int:
    """The first of `count` fresh consecutive passage keys, higher than any key ever used."""
    (highest,) = conn.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()
    found = conn.execute("SELECT value FROM store_meta WHERE key = ?", (KEY_HIGH_WATER,)).fetchone()
    first = max(int(highest), int(found[0]) if found else 0) + 1
    conn.execute(
        "INSERT OR REPLACE INTO store_meta(key, value) VALUES (?, ?)",
        (KEY_HIGH_WATER, str(first + count - 1)),
    )
    return first


def _paper_condition(paper_ids: Sequence[str] | None) -> tuple[str, list[object]]:
    if paper_ids is None:
        return "", []
    return "AND ps.paper_id IN (SELECT value FROM json_each(?))", [json.dumps(list(paper_ids))]


def missing(
    conn: sqlite3.Connection, embedder_id: str, limit: int, paper_ids: Sequence[str] | None
) -> list[PendingPassage]:
    condition, params = _paper_condition(paper_ids)
    rows = conn.execute(
        "SELECT ps.id, ps.paper_id, pa.title, ps.section, ps.text FROM passages ps "
        "JOIN papers pa ON pa.id = ps.paper_id "
        f"WHERE (ps.embedder IS NOT ? OR ps.vector IS NULL) {condition} ORDER BY ps.id LIMIT ?",
        [embedder_id, *params, max(limit, 0)],
    ).fetchall()
    return [PendingPassage(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def count_missing(
    conn: sqlite3.Connection, embedder_id: str, paper_ids: Sequence[str] | None
) -> int:
    condition, params = _paper_condition(paper_ids)
    (total,) = conn.execute(
        "SELECT count(*) FROM passages ps "
        f"WHERE (ps.embedder IS NOT ? OR ps.vector IS NULL) {condition}",
        [embedder_id, *params],
    ).fetchone()
    return int(total)


def store_vectors(
    conn: sqlite3.Connection, embedder_id: str, keys: Sequence[int], matrix: np.ndarray
) -> int:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if matrix.ndim != 2 or len(matrix) != len(keys):
        raise StoreError(
            f"cannot store {len(keys)} vectors from a matrix of shape {matrix.shape}; "
            "give one row per passage key"
        )
    stamp = next_stamp(conn)
    stored = 0
    for key, row in zip(keys, matrix, strict=True):
        stored += conn.execute(
            "UPDATE passages SET vector = ?, embedder = ?, vector_stamp = ? WHERE id = ?",
            (row.tobytes(), embedder_id, stamp, int(key)),
        ).rowcount
    if stored:
        bump_version(conn)
    return stored


def next_stamp(conn: sqlite3.Connection) -> int:
    """The version the write transaction in progress moves the store to when it next bumps it:
    readers of any earlier version read the rows stamped with it again."""
    return int(read_version(conn)) + 1


def load_vectors(conn: sqlite3.Connection, embedder_id: str) -> VectorSet:
    """Every vector of the embedder; the caller holds a read transaction (one snapshot)."""
    rows = conn.execute(
        "SELECT id, paper_id, vector FROM passages WHERE embedder = ? AND vector IS NOT NULL "
        "ORDER BY id",
        (embedder_id,),
    ).fetchall()
    return _vector_set(read_version(conn), embedder_id, rows)


def _vector_set(version: str, embedder_id: str, rows: list[sqlite3.Row]) -> VectorSet:
    """The set of rows (key, paper id, vector), in their order."""
    if not rows:
        empty = np.zeros((0, 0), dtype=np.float32)
        return VectorSet(version, np.zeros(0, np.int64), np.array([], dtype=object), empty)
    width = len(rows[0][2])
    if any(len(row[2]) != width for row in rows):
        raise StoreError(
            f"the stored vectors of {embedder_id!r} differ in length; run `papershelf reindex` "
            "to rebuild them"
        )
    keys = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    paper_ids = np.array([row[1] for row in rows], dtype=object)
    blob = b"".join(row[2] for row in rows)
    matrix = np.frombuffer(blob, dtype=np.float32).reshape(len(rows), width // 4)
    return VectorSet(version, keys, paper_ids, matrix)


ROWS_WRITTEN_SINCE = (
    "SELECT id, paper_id, vector FROM passages "
    "WHERE vector_stamp > ? AND embedder = ? AND vector IS NOT NULL ORDER BY id"
)


def read_since(conn: sqlite3.Connection, known_version: str) -> int | None:
    """The version whose later stamps a read since `known_version` takes, or None when it must
    read everything: the version is not this store's kind, or the store is at an earlier one (a
    library file put back from a backup, or made again, under a process that read it)."""
    if not known_version.isdigit() or int(read_version(conn)) < int(known_version):
        return None
    return int(known_version)


def load_vectors_since(conn: sqlite3.Connection, embedder_id: str, known: VectorSet) -> VectorSet:
    """What `load_vectors` reads, built from `known` (a set read earlier from this store) and the
    rows written since, appended when only rows were added (the count and the sum of the keys
    agree: a passage with an embedder has a vector), else placed by the embedder's keys as they
    are now (`_by_keys`). The caller holds a read transaction."""
    since = read_since(conn, known.version)
    if since is None:
        return load_vectors(conn, embedder_id)
    rows = conn.execute(ROWS_WRITTEN_SINCE, (since, embedder_id)).fetchall()
    # The sum catches what a writer without stamps (an older papershelf that opened the library
    # before it was migrated) moved to as many new keys as it removed.
    count, key_sum = conn.execute(
        "SELECT count(*), total(id) FROM passages WHERE embedder = ?", (embedder_id,)
    ).fetchone()
    try:
        added = _vector_set(read_version(conn), embedder_id, rows)
    except StoreError:
        return load_vectors(conn, embedder_id)
    appended = _appended(known, added)
    if appended is not None and len(appended.keys) == count and appended.keys.sum() == key_sum:
        return appended
    return _by_keys(conn, embedder_id, known, added)


def _by_keys(
    conn: sqlite3.Connection, embedder_id: str, known: VectorSet, added: VectorSet
) -> VectorSet:
    """The set built from the embedder's keys as they are now (from its index): rows written
    since from `added`, the others from `known`, and the few neither holds read by key (an older
    papershelf's unstamped writes); everything is read again when those are many or the width
    changed. What a removal costs: the list of keys, not every vector."""
    keys = np.array(
        [key for (key,) in conn.execute(KEYS_OF_EMBEDDER, (embedder_id,))], dtype=np.int64
    )
    width = known.matrix.shape[1] if len(known.keys) else 0
    if len(added.keys) and added.matrix.shape[1] != width:
        return load_vectors(conn, embedder_id)
    from_added, at_added = _positions(added.keys, keys)
    from_known, at_known = _positions(known.keys, keys)
    from_known &= ~from_added
    unknown = keys[~(from_added | from_known)]
    if len(unknown) > max(len(keys) // 4, 64):
        return load_vectors(conn, embedder_id)
    if not len(keys):
        return _vector_set(added.version, embedder_id, [])
    read = _rows_of_keys(conn, embedder_id, unknown, added.version) if len(unknown) else None
    if read is not None and (len(read.keys) != len(unknown) or read.matrix.shape[1] != width):
        return load_vectors(conn, embedder_id)
    if from_known.all():  # rows only removed: one gather, not a fill and a masked copy
        matrix = np.take(known.matrix, at_known, axis=0)
        return VectorSet(added.version, keys, known.paper_ids[at_known], matrix)
    matrix = np.empty((len(keys), width), np.float32)
    paper_ids = np.empty(len(keys), dtype=object)
    for source, chosen, at in (
        (known, from_known, at_known),
        (added, from_added, at_added),
    ):
        if not chosen.any():
            continue
        matrix[chosen] = source.matrix[at[chosen]]
        paper_ids[chosen] = source.paper_ids[at[chosen]]
    if read is not None:
        rest = ~(from_added | from_known)
        matrix[rest], paper_ids[rest] = read.matrix, read.paper_ids
    return VectorSet(added.version, keys, paper_ids, matrix)


KEYS_OF_EMBEDDER = "SELECT id FROM passages WHERE embedder = ? ORDER BY id"


def _rows_of_keys(
    conn: sqlite3.Connection, embedder_id: str, keys: np.ndarray, version: str
) -> VectorSet:
    rows = conn.execute(
        "SELECT id, paper_id, vector FROM passages "
        "WHERE id IN (SELECT value FROM json_each(?)) AND embedder = ? AND vector IS NOT NULL "
        "ORDER BY id",
        (json.dumps(keys.tolist()), embedder_id),
    ).fetchall()
    return _vector_set(version, embedder_id, rows)


def _positions(held: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of `keys` the ascending `held` has, and where."""
    if not len(held):
        return np.zeros(len(keys), bool), np.zeros(len(keys), np.int64)
    at = np.minimum(np.searchsorted(held, keys), len(held) - 1)
    return held[at] == keys, at


def _appended(known: VectorSet, added: VectorSet) -> VectorSet | None:
    """`known` with `added` after it (under `added`'s version), when every added key comes after
    the known ones and the widths agree; None otherwise (`_by_keys` places such rows)."""
    if len(added.keys) == 0:
        return VectorSet(added.version, known.keys, known.paper_ids, known.matrix, len(known.keys))
    if len(known.keys) == 0:
        return added
    if added.keys[0] <= known.keys[-1] or added.matrix.shape[1] != known.matrix.shape[1]:
        return None
    return VectorSet(
        added.version,
        np.concatenate([known.keys, added.keys]),
        np.concatenate([known.paper_ids, added.paper_ids]),
        np.concatenate([known.matrix, added.matrix]),
        len(known.keys),
    )


def passages_by_key(conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, Passage]:
    if not keys:
        return {}
    found = conn.execute(
        f"SELECT ps.id AS key, {rows.PASSAGE_COLUMNS} FROM passages ps "
        "WHERE ps.id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(k) for k in keys]),),
    ).fetchall()
    return {int(row["key"]): rows.passage_from_row(row) for row in found}


def kept_vectors(
    conn: sqlite3.Connection, paper_id: str, title: str
) -> dict[tuple[str, str], tuple[bytes, str]]:
    """The stored vectors of a paper about to be replaced, by (section, text), when its title
    (which is part of what was embedded) stays the same."""
    found = conn.execute("SELECT title FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if found is None or found[0] != title:
        return {}
    rows = conn.execute(
        "SELECT section, text, vector, embedder FROM passages "
        "WHERE paper_id = ? AND vector IS NOT NULL AND embedder IS NOT NULL",
        (paper_id,),
    ).fetchall()
    return {(row[0], row[1]): (row[2], row[3]) for row in rows}


def restore_vectors(
    conn: sqlite3.Connection,
    kept: dict[tuple[str, str], tuple[bytes, str]],
    new_rows: Sequence[tuple[int, str, str]],
) -> None:
    """Give the new passages (key, section, text) the vectors their identical predecessors had."""
    stamp = next_stamp(conn)
    updates = [
        (*kept[(section, text)], stamp, key)
        for key, section, text in new_rows
        if (section, text) in kept
    ]
    conn.executemany(
        "UPDATE passages SET vector = ?, embedder = ?, vector_stamp = ? WHERE id = ?", updates
    )
    if updates:
        bump_version(conn)  # the version the transaction commits reaches the stamp
