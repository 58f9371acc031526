"""The in-memory lexical index of each SQLite library this process searches, kept up to date.

Every search reads the postings state (sqlite_postings.PostingsState) in its own read snapshot and
gets an index of exactly that state:
- the held one when the states are equal;
- the held one brought forward when the reader's state is newer (added passages read alone,
  removed ones masked), which then becomes the held one;
- otherwise one read whole: a new library at this path, rewritten rows, or a search whose
  snapshot began before another search brought the held index further. An index for an older
  snapshot is used once and not kept, unless the held one has been left for a minute (a library
  restored from a backup counts backwards).
"""

import sqlite3
import threading
import time

import numpy as np

from papershelf.storage.postings_index import PostingIndex, kept_apart
from papershelf.storage.sqlite_postings import (
    PostingsState,
    load_segment,
    load_tokens,
    read_postings_state,
)

KEPT_WHEN_NEWER_FOR_S = 60.0


class _Held:
    def __init__(self, index: PostingIndex, state: PostingsState):
        self.index, self.state = index, state
        self.since = time.monotonic()


_held: dict[str, _Held] = {}
_lock = threading.Lock()


def current_index(conn: sqlite3.Connection) -> PostingIndex:
    """The index of the postings this connection's snapshot sees."""
    file = database_file(conn)
    state = read_postings_state(conn)
    with _lock:
        held = _held.get(file) if file else None
        if held is not None and held.state == state:
            return held.index
        same_rows = held is not None and (held.state.library, held.state.generation) == (
            state.library,
            state.generation,
        )
        index = None
        if held is not None and same_rows and held.state.version <= state.version:
            index = _with_writes_since(conn, held.index, held.state.removals != state.removals)
        if index is None:
            tokens = load_tokens(conn, {})
            index = PostingIndex(tokens, load_segment(conn, 0, _vocabulary(tokens)))
        if file and (
            held is None
            or not same_rows
            or held.state.version <= state.version
            or time.monotonic() - held.since > KEPT_WHEN_NEWER_FOR_S
        ):
            _held[file] = _Held(index, state)
        return index


def database_file(conn: sqlite3.Connection) -> str:
    """The database file ('' for an in-memory database, whose index is never kept)."""
    (file,) = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
    return str(file)


def _with_writes_since(
    conn: sqlite3.Connection, index: PostingIndex, removed_since: bool
) -> PostingIndex | None:
    """The index with the passages added since its base segment was read and without those
    removed, or None when they are too many to keep apart (the caller reads everything)."""
    base = index.base
    high = int(base.keys[-1]) if len(base.keys) else 0
    base_live = index.base_live
    if removed_since:
        base_live = np.isin(base.keys, _passage_keys(conn))
    if base_live is None:
        base_live = np.ones(len(base.keys), bool)
    (added,) = conn.execute(
        "SELECT count(*) FROM passage_tokens WHERE passage_id > ?", (high,)
    ).fetchone()
    removed = len(base.keys) - int(base_live.sum())
    if not kept_apart(len(base.keys), added, removed):
        return None
    tokens = load_tokens(conn, index.tokens)
    return PostingIndex(
        tokens,
        base,
        load_segment(conn, high, _vocabulary(tokens)),
        base_live if removed else None,
    )


def _passage_keys(conn: sqlite3.Connection) -> np.ndarray:
    """Every passage key, read through the smallest index that holds them (one string: a row per
    key costs twice as much at 10^5 passages)."""
    (joined,) = conn.execute("SELECT group_concat(id) FROM passages").fetchone()
    return np.array(joined.split(",") if joined else [], np.int64)


def _vocabulary(tokens: dict[str, int]) -> int:
    return max(tokens.values(), default=0) + 1


def forget_phrases() -> None:
    """Drop the phrase postings kept with the held indexes (benchmarks of first questions)."""
    with _lock:
        for held in _held.values():
            held.index.forget_phrases()


def forget_indexes() -> None:
    """Drop every index held: the next search reads its library afresh."""
    with _lock:
        _held.clear()


def release(file: str) -> None:
    """Drop the index held for a database file (its store was closed)."""
    with _lock:
        _held.pop(file, None)
