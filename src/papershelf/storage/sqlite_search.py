"""Lexical search of the SQLite store: BM25 over the in-memory postings (postings_index.py) of the
passages its snapshot sees (sqlite_held_index.py).

FTS5 computes bm25 one matching row at a time, and at 10^5 passages a question's rare terms alone
match ~17,000 rows (34 ms at the median); the in-memory postings give the same scores to the bit
in a few numpy operations per term (~5 ms). Which terms are scored and which passages are
candidates is the rule both stores share (shared.scored_and_candidate_terms).

A query term the tokenizer splits into several tokens ('pre-training') is a phrase: its tokens must
stand next to each other, and the postings keep no positions. Its rows come from FTS5, and each
row's count is recovered from that phrase's bm25 alone (counts are whole numbers: the column
weights are), kept with the index of the passages they were found for.

"The same to the bit" holds where SQLite's own bm25 is compiled without fused multiply-adds (the
tests check it on every run); elsewhere the last bits may differ, and with them exact ties.
"""

import json
import sqlite3

import numpy as np

from papershelf.storage import sqlite_rows as rows
from papershelf.storage.bm25_analysis import K1, B, idf, query_phrases
from papershelf.storage.postings_index import PostingIndex, Postings, ranked
from papershelf.storage.sqlite_fts import BM25, FTS_TABLE, match_expression
from papershelf.storage.sqlite_held_index import current_index


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
    index = current_index(conn)
    if not index.passages:
        return []
    postings = {term: _postings(conn, index, term, tokens) for term, tokens in phrases}
    admitted = None
    if where != "1":
        keys = conn.execute(
            f"SELECT ps.id FROM passages ps JOIN papers pa ON pa.id = ps.paper_id WHERE {where}",
            params or [],
        ).fetchall()
        admitted = index.rows_of(np.array([key for (key,) in keys], np.int64))
    return ranked(index, postings, limit, admitted)


def _postings(
    conn: sqlite3.Connection, index: PostingIndex, term: str, tokens: tuple[str, ...]
) -> Postings:
    if len(tokens) == 1:
        return index.token_postings(tokens[0])
    known = index.kept_phrase(term)
    if known is None:
        known = _phrase_postings(conn, index, term)
        index.keep_phrase(term, known)
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
