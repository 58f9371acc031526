"""Each passage's index tokens with their column-weighted counts, stored beside the FTS5 index so
that lexical search can score in memory (postings_index.py) instead of through FTS5's bm25.

FTS5 scores one matching row at a time (~1 µs each, and a 10^5-passage library gives a question
~17,000 candidate rows); the same BM25 over in-memory postings is a few numpy operations per
query term. The tokens are FTS5's own (bm25_analysis.py), so the scores are the same to the bit.

Rows are written in the transaction that writes their passages. Counters in `store_meta` tell
readers what changed: the version moves on every change, the removals count when rows are removed,
the generation when every row is rewritten (a new analyser). A reader holding the index of an
older version of the same generation reads the passages added since (keys are never reused: those
are the keys above its highest) and, only after removals, the list of keys, to mask the removed.
"""

import json
import sqlite3
import uuid
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from papershelf.core.errors import StoreError
from papershelf.storage.bm25_analysis import analyse_passages
from papershelf.storage.postings_index import Segment
from papershelf.storage.sqlite_fts import (
    BODY_WEIGHT,
    HEADING_WEIGHT,
    TITLE_WEIGHT,
    analyzer_fingerprint,
)
from papershelf.storage.sqlite_vectors import bump_counter

CREATE_POSTINGS = (
    "CREATE TABLE index_tokens (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE)",
    """CREATE TABLE passage_tokens (
        passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
        token_ids BLOB NOT NULL,
        weights BLOB NOT NULL,
        length INTEGER NOT NULL
    )""",
)
ANALYZER_KEY = "postings_analyzer"
LIBRARY_KEY = "postings_library"  # a random id: a file deleted and made again is another library
VERSION_KEY = "postings_version"
REMOVALS_KEY = "postings_removals"
GENERATION_KEY = "postings_generation"


def postings_fingerprint() -> str:
    """Changes whenever the stored tokens or weights of the same passage could change."""
    weights = f"{BODY_WEIGHT},{TITLE_WEIGHT},{HEADING_WEIGHT}"
    return f"{analyzer_fingerprint()}/weights-{weights}"


def record_postings(
    conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str]], title: str
) -> None:
    """Store the tokens of one paper's (passage key, section heading, text) rows."""
    if not rows:
        return
    analysed = analyse_passages(title, [(heading, text) for _, heading, text in rows])
    tokens = list(dict.fromkeys(token for passage in analysed for token in passage.terms))
    conn.executemany(
        "INSERT OR IGNORE INTO index_tokens(token) VALUES (?)", [(token,) for token in tokens]
    )
    ids = {
        token: token_id
        for token, token_id in conn.execute(
            "SELECT token, id FROM index_tokens WHERE token IN (SELECT value FROM json_each(?))",
            (json.dumps(tokens, ensure_ascii=False),),
        )
    }
    conn.executemany(
        "INSERT INTO passage_tokens(passage_id, token_ids, weights, length) VALUES (?, ?, ?, ?)",
        [
            (
                key,
                np.array([ids[token] for token in passage.terms], np.int32).tobytes(),
                np.array(passage.weights, np.float32).tobytes(),
                passage.length,
            )
            for (key, _, _), passage in zip(rows, analysed, strict=True)
        ],
    )
    bump_counter(conn, VERSION_KEY)


def forget_postings(conn: sqlite3.Connection, paper_id: str) -> None:
    """Remove a stored paper's rows; call before deleting its passages."""
    removed = conn.execute(
        "DELETE FROM passage_tokens WHERE passage_id IN "
        "(SELECT id FROM passages WHERE paper_id = ?)",
        (paper_id,),
    ).rowcount
    if removed:
        bump_counter(conn, VERSION_KEY)
        bump_counter(conn, REMOVALS_KEY)


def rebuild_postings(conn: sqlite3.Connection) -> None:
    """Re-analyse every passage; the caller holds a write transaction."""
    conn.execute("DELETE FROM passage_tokens")
    _record_passages_above(conn, 0)
    conn.execute(
        "INSERT OR REPLACE INTO store_meta(key, value) VALUES (?, ?)",
        (ANALYZER_KEY, postings_fingerprint()),
    )
    conn.execute(
        "INSERT OR IGNORE INTO store_meta(key, value) VALUES (?, ?)",
        (LIBRARY_KEY, uuid.uuid4().hex),
    )
    bump_counter(conn, VERSION_KEY)
    bump_counter(conn, GENERATION_KEY)


def postings_are_current(conn: sqlite3.Connection) -> bool:
    """Whether the rows were made by this analyser and cover the newest passage (a papershelf from
    before the rows existed may have added passages without them)."""
    return _made_by_this_analyser(conn) and _uncovered(conn) is None


def ensure_postings_current(conn: sqlite3.Connection) -> None:
    """Rebuild when another analyser wrote the rows, and add those of passages written without
    them; the caller holds a write transaction."""
    if not _made_by_this_analyser(conn):
        rebuild_postings(conn)
        return
    above = _uncovered(conn)
    if above is not None:
        _record_passages_above(conn, above)


def _made_by_this_analyser(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT value FROM store_meta WHERE key = ?", (ANALYZER_KEY,)).fetchone()
    return found is not None and found[0] == postings_fingerprint()


def _record_passages_above(conn: sqlite3.Connection, above: int) -> None:
    """Store the tokens of every passage whose key is above `above`, paper by paper."""
    papers = conn.execute(
        "SELECT DISTINCT pa.id, pa.title FROM passages ps JOIN papers pa ON pa.id = ps.paper_id "
        "WHERE ps.id > ?",
        (above,),
    ).fetchall()
    for paper_id, title in papers:
        rows = conn.execute(
            "SELECT id, section, text FROM passages WHERE paper_id = ? AND id > ? ORDER BY id",
            (paper_id, above),
        ).fetchall()
        record_postings(conn, [tuple(row) for row in rows], title)


def _uncovered(conn: sqlite3.Connection) -> int | None:
    """The highest key with rows when passages above it have none, else None."""
    ((passages,),) = conn.execute("SELECT coalesce(max(id), 0) FROM passages").fetchall()
    ((covered,),) = conn.execute(
        "SELECT coalesce(max(passage_id), 0) FROM passage_tokens"
    ).fetchall()
    return int(covered) if passages > covered else None


class PostingsState(NamedTuple):
    """What a held index was read from: the library, the generation of its rows, and the
    counters of changes and of removals."""

    library: str
    generation: int
    version: int
    removals: int


def read_postings_state(conn: sqlite3.Connection) -> PostingsState:
    keys = (LIBRARY_KEY, GENERATION_KEY, VERSION_KEY, REMOVALS_KEY)
    found = {
        key: value
        for key, value in conn.execute(
            "SELECT key, value FROM store_meta WHERE key IN (?, ?, ?, ?)", keys
        )
    }
    return PostingsState(
        str(found.get(LIBRARY_KEY, "")), *(int(found.get(key, 0)) for key in keys[1:])
    )


def load_tokens(conn: sqlite3.Connection, tokens: dict[str, int]) -> dict[str, int]:
    """`tokens` with the ids of the tokens stored since (ids only grow)."""
    above = max(tokens.values(), default=0)
    grown = dict(tokens)
    for token_id, token in conn.execute(
        "SELECT id, token FROM index_tokens WHERE id > ?", (above,)
    ):
        grown[token] = token_id
    return grown


def load_segment(conn: sqlite3.Connection, above_key: int, vocabulary: int) -> Segment:
    """The postings of the passages whose keys are above `above_key`."""
    found = conn.execute(
        "SELECT passage_id, token_ids, weights, length FROM passage_tokens "
        "WHERE passage_id > ? ORDER BY passage_id",
        (above_key,),
    ).fetchall()
    try:
        return Segment.build(
            [row[0] for row in found],
            [row[1] for row in found],
            [row[2] for row in found],
            [row[3] for row in found],
            vocabulary,
        )
    except (ValueError, IndexError) as exc:
        raise StoreError(
            f"the lexical index of this library is damaged ({exc}); "
            "run `papershelf reindex --lexical` to rebuild it"
        ) from exc
