"""Lexical search of the SQLite store: BM25 over the in-memory postings (postings_index.py), held
per database file and brought up to date from `passage_tokens` when its version moves.

FTS5 computes bm25 one matching row at a time, and at 10^5 passages a question's rare terms alone
match ~17,000 rows (34 ms at the median); the in-memory postings give the same scores to the bit
in a few numpy operations per term (~5 ms). Which terms are scored and which passages are
candidates is the rule both stores share (shared.scored_and_candidate_terms).

A query term the tokenizer splits into several tokens ('pre-training') is a phrase: its tokens must
stand next to each other, and the postings keep no positions. Its rows come from FTS5, and each
row's count is recovered from that phrase's bm25 alone (counts are whole numbers: the column
weights are), kept per store version.
"""

import json
import sqlite3
import threading
from collections import OrderedDict

import numpy as np

from papershelf.storage import shared
from papershelf.storage import sqlite_rows as rows
from papershelf.storage.bm25_analysis import K1, B, idf, query_phrases
from papershelf.storage.postings_index import PostingIndex, Postings
from papershelf.storage.sqlite_fts import BM25, FTS_TABLE, match_expression
from papershelf.storage.sqlite_postings import load_segment, load_tokens, read_postings_state

# Passages added since the base segment was read are read into a second one, and removed ones
# masked, while each stays below this share of the base (or a few thousand added); past that,
# the whole index is read again.
ADDED_SHARE, ADDED_FLOOR, REMOVED_SHARE = 0.25, 5_000, 0.25
PHRASES_KEPT = 2_000


class _Held:
    def __init__(self, index: PostingIndex, state: tuple[str, str, str]):
        self.index = index
        self.version, self.removals, self.generation = state


_held: dict[str, _Held] = {}
_phrases: OrderedDict[tuple[str, str, str], Postings] = OrderedDict()
_lock = threading.Lock()


def ranked_ids(
    conn: sqlite3.Connection,
    terms: list[str],
    limit: int,
    *,
    where: str = "1",
    params: list[object] | None = None,
) -> list[tuple[int, float]]:
    """The best `limit` (passage key, FTS5 bm25 rank: lower is better) for the terms, best first;
    `where` (with `params`) is a condition on the papers, aliased `pa`."""
    phrases = query_phrases(terms)
    if not phrases or limit <= 0:
        return []
    file = _file_of(conn)
    state = read_postings_state(conn)
    index = _current_index(conn, file, state)
    if not index.passages:
        return []
    postings = {
        term: _postings(conn, index, (file, state[0]), term, tokens) for term, tokens in phrases
    }
    frequency = {term: len(found[0]) for term, found in postings.items()}
    scored, candidates = shared.scored_and_candidate_terms(frequency, index.passages)
    admitted = None
    if where != "1":
        keys = conn.execute(
            f"SELECT ps.id FROM passages ps JOIN papers pa ON pa.id = ps.paper_id WHERE {where}",
            params or [],
        ).fetchall()
        admitted = index.rows_of(np.array([key for (key,) in keys], np.int64))
    return index.best(
        [postings[term] for term in scored],
        [postings[term] for term in candidates],
        limit,
        admitted,
    )


def _file_of(conn: sqlite3.Connection) -> str:
    """The database file ('' for an in-memory database, whose index is never kept)."""
    (file,) = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
    return str(file)


def _current_index(
    conn: sqlite3.Connection, file: str, state: tuple[str, str, str]
) -> PostingIndex:
    version, removals, generation = state
    with _lock:
        held = _held.get(file) if file else None
        if held is not None and held.version == version:
            return held.index
        index = None
        if held is not None and held.generation == generation:
            index = _with_writes_since(conn, held.index, held.removals != removals)
        if index is None:
            tokens = load_tokens(conn, {})
            index = PostingIndex(tokens, load_segment(conn, 0, _vocabulary(tokens)))
        if file:
            _held[file] = _Held(index, state)
        return index


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
    if added > max(ADDED_FLOOR, ADDED_SHARE * len(base.keys)) or removed > REMOVED_SHARE * len(
        base.keys
    ):
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


def _postings(
    conn: sqlite3.Connection,
    index: PostingIndex,
    state: tuple[str, str],
    term: str,
    tokens: tuple[str, ...],
) -> Postings:
    if len(tokens) == 1:
        return index.token_postings(tokens[0])
    key = (*state, term)
    with _lock:
        known = _phrases.get(key)
    if known is None:
        known = _phrase_postings(conn, index, term)
        if state[0]:
            with _lock:
                _phrases[key] = known
                while len(_phrases) > PHRASES_KEPT:
                    _phrases.popitem(last=False)
    return known


def _phrase_postings(conn: sqlite3.Connection, index: PostingIndex, term: str) -> Postings:
    """The rows holding the phrase and its column-weighted count in each, from FTS5: the count
    is what makes bm25 = idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))."""
    found = conn.execute(
        f"SELECT rowid, -{BM25} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?",
        (match_expression([term]),),
    ).fetchall()
    keys = np.array([key for key, _ in found], np.int64)
    scores = np.array([score for _, score in found], np.float64)
    at = np.searchsorted(index.keys, keys)
    known = (at < index.size) & (index.keys[np.minimum(at, index.size - 1)] == keys)
    row_of, score = at[known], scores[known]
    lengths = K1 * (1 - B + B * index.lengths[row_of] / index.avgdl)
    most = idf(index.passages, len(keys)) * (K1 + 1.0)
    return row_of, np.rint(score * lengths / (most - score))


def forget_phrases() -> None:
    """Drop the phrase counts kept (benchmarks measuring a first question use it)."""
    with _lock:
        _phrases.clear()


def forget_indexes() -> None:
    """Drop every index held, and the phrase counts: the next search reads the store afresh."""
    with _lock:
        _held.clear()
        _phrases.clear()


def rows_by_id(conn: sqlite3.Connection, ids: list[int]) -> dict[int, sqlite3.Row]:
    """The passage rows (rows.PASSAGE_COLUMNS) of these ids, by id."""
    if not ids:
        return {}
    found = conn.execute(
        f"SELECT ps.id AS rowid_, {rows.PASSAGE_COLUMNS} FROM passages ps "
        "WHERE ps.id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    ).fetchall()
    return {int(row["rowid_"]): row for row in found}
