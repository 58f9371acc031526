"""The term lexicon in the SQLite store: English words of the passages, how many passages hold
each (document frequency), and each word's vector from the current embedder.

Like passage vectors (sqlite_vectors.py), each word's vector is stamped with the store version its
write made, and the version at which words last left the lexicon (a paper removed) is kept, so a
reader holding the lexicon of one version reads only the words embedded since
(`load_vectors_since`)."""

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from papershelf.core.textindex import lexicon_terms
from papershelf.storage.base import TermVectors
from papershelf.storage.sqlite_vectors import bump_version, next_stamp, read_since, read_version

# store_meta: the store version after the last write that lowered a word's frequency.
WORDS_LEFT_KEY = "terms_left"


def _counts(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(lexicon_terms(text))
    return counts


def count_passages(conn: sqlite3.Connection, texts: Iterable[str]) -> None:
    """Add new passages' words to the document frequencies."""
    conn.executemany(
        "INSERT INTO terms(term, df) VALUES (?, ?) "
        "ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
        _counts(texts).items(),
    )


def uncount_paper(conn: sqlite3.Connection, paper_id: str) -> None:
    """Take a stored paper's passages out of the frequencies; call before deleting its rows."""
    texts = (
        row[0] for row in conn.execute("SELECT text FROM passages WHERE paper_id = ?", (paper_id,))
    )
    counts = _counts(texts)
    conn.executemany(
        "UPDATE terms SET df = df - ? WHERE term = ?", [(n, t) for t, n in counts.items()]
    )
    conn.executemany("DELETE FROM terms WHERE term = ? AND df <= 0", [(t,) for t in counts])
    if counts:
        _words_left(conn)


def _words_left(conn: sqlite3.Connection) -> None:
    """Record that words may leave a lexicon with the write in progress: readers of any earlier
    version read the lexicon whole again."""
    conn.execute(
        "INSERT OR REPLACE INTO store_meta(key, value) VALUES (?, ?)",
        (WORDS_LEFT_KEY, str(next_stamp(conn))),
    )


def missing(conn: sqlite3.Connection, embedder_id: str, min_df: int, limit: int) -> list[str]:
    rows = conn.execute(
        "SELECT term FROM terms WHERE df >= ? AND (embedder IS NOT ? OR vector IS NULL) "
        "ORDER BY df DESC, term LIMIT ?",
        (min_df, embedder_id, max(limit, 0)),
    ).fetchall()
    return [row[0] for row in rows]


def store_vectors(
    conn: sqlite3.Connection, embedder_id: str, terms: Sequence[str], matrix: np.ndarray
) -> int:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    stamp = next_stamp(conn)
    moved = conn.execute(
        "SELECT 1 FROM terms WHERE term IN (SELECT value FROM json_each(?)) "
        "AND embedder IS NOT NULL AND embedder IS NOT ? LIMIT 1",
        (json.dumps(list(terms)), embedder_id),
    ).fetchone()
    if moved is not None:  # words leave another embedder's lexicon
        _words_left(conn)
    stored = 0
    for term, row in zip(terms, matrix, strict=True):
        stored += conn.execute(
            "UPDATE terms SET vector = ?, embedder = ?, vector_stamp = ? WHERE term = ?",
            (row.tobytes(), embedder_id, stamp, term),
        ).rowcount
    if stored:
        bump_version(conn)
    return stored


def load_vectors(
    conn: sqlite3.Connection, embedder_id: str, min_df: int, limit: int
) -> TermVectors:
    """The embedded terms, most frequent first; the caller holds a read transaction. The order
    is read without the vectors and the vectors without an order: sorting rows that carry 2 KB
    vectors copied every one into SQLite's sorter (0.45 s against 0.09 s for 16,000 words). The
    order comes from the (embedder, df) index alone (a word with an embedder has a vector), the
    vectors from one pass over the table: through that index, each word's row would be sought
    on its own (0.04 -> 0.16 s and 0.05 -> 0.18 s for 15,000 words)."""
    version = read_version(conn)
    ordered = conn.execute(
        "SELECT term FROM terms WHERE embedder = ? AND df >= ? ORDER BY df DESC, term LIMIT ?",
        (embedder_id, min_df, max(limit, 0)),
    ).fetchall()
    place = {row[0]: i for i, row in enumerate(ordered)}
    vectors: list[bytes] = [b""] * len(ordered)
    # The unary + keeps both columns off the indexes (NOT INDEXED is not obeyed on this
    # WITHOUT ROWID table by SQLite 3.40).
    for term, vector in conn.execute(
        "SELECT term, vector FROM terms WHERE +embedder = ? AND +df >= ? AND vector IS NOT NULL",
        (embedder_id, min_df),
    ):
        at = place.get(term)
        if at is not None:
            vectors[at] = vector
    width = len(vectors[0]) // 4 if vectors else 0
    kept = [i for i, vector in enumerate(vectors) if len(vector) == width * 4]
    matrix = np.frombuffer(b"".join(vectors[i] for i in kept), dtype=np.float32)
    return TermVectors(version, [ordered[i][0] for i in kept], matrix.reshape(len(kept), width))


# Through the stamps: the planner would otherwise take every frequent word by (embedder, df)
# and read past each one's vector to its stamp.
WORDS_WRITTEN_SINCE = (
    "SELECT term, vector FROM terms INDEXED BY terms_embedder_stamp "
    "WHERE embedder = ? AND vector_stamp > ? AND df >= ? AND vector IS NOT NULL "
    "ORDER BY df DESC, term"
)


def load_vectors_since(
    conn: sqlite3.Connection, embedder_id: str, min_df: int, limit: int, known: TermVectors
) -> TermVectors:
    """What `load_vectors` reads, built from `known` (read earlier with the same min_df and
    limit) and the words embedded since, which come after it (the words of `known` keep their
    order). Everything is read again when words may have left it (a paper was removed, a word was
    embedded again or for another embedder), when a word came back without being embedded again
    (the count disagrees: a word with an embedder has a vector), or when the limit cuts."""
    version = read_version(conn)
    found = conn.execute("SELECT value FROM store_meta WHERE key = ?", (WORDS_LEFT_KEY,))
    left = found.fetchone()
    since = read_since(conn, known.version)
    if since is None or (left is not None and int(left[0]) > since) or len(known.terms) >= limit:
        return load_vectors(conn, embedder_id, min_df, limit)
    added = conn.execute(WORDS_WRITTEN_SINCE, (embedder_id, since, min_df)).fetchall()
    (count,) = conn.execute(
        "SELECT count(*) FROM terms WHERE embedder = ? AND df >= ?", (embedder_id, min_df)
    ).fetchone()
    width = known.matrix.shape[1] if len(known.terms) else len(added[0][1]) // 4 if added else 0
    held = set(known.terms)
    if (
        count > limit
        or count != len(known.terms) + len(added)
        or any(term in held or len(vector) != width * 4 for term, vector in added)
    ):
        return load_vectors(conn, embedder_id, min_df, limit)
    if not added:
        return TermVectors(version, known.terms, known.matrix)
    rows = np.frombuffer(b"".join(vector for _, vector in added), dtype=np.float32)
    matrix = np.concatenate(
        [known.matrix.reshape(len(known.terms), width), rows.reshape(-1, width)]
    )
    return TermVectors(version, [*known.terms, *(term for term, _ in added)], matrix)
