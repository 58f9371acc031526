"""Lexical search over the FTS5 index in two stages, so common words do not cost a BM25 score for
most of the library.

FTS5 scores every row that matches any query term; at 10^5 passages a word like 'model' matches
two thirds of them. Here each term's posting list is probed up to a cap first. When some terms
stay under it (rare) and others do not (common), only passages holding a rare term are scored,
in two queries whose BM25 is exact: `rare AND common` and `rare NOT common` (FTS5's IDF is over
the whole table and a term a row lacks adds nothing, so splitting the OR changes no score). What
is lost is a passage that holds common terms only, which BM25 ranks below every rare-term match
that shares its common terms anyway.
"""

import json
import sqlite3

from papershelf.storage import sqlite_rows as rows
from papershelf.storage.sqlite_fts import BM25, FTS_TABLE, match_expression

# How many passage matches the rare terms may have together: this share of the library, and at
# least MIN_BUDGET (small libraries are scored whole, in one query).
BUDGET_SHARE = 0.2
MIN_BUDGET = 5_000


def ranked_ids(
    conn: sqlite3.Connection,
    terms: list[str],
    limit: int,
    *,
    joins: str = "",
    where: str = "1",
    params: list[object] | None = None,
) -> list[tuple[int, float]]:
    """The best `limit` (passage rowid, bm25 rank) for the OR of the terms, best first; `where`
    (with `params`) may use the `joins`."""
    params = params or []
    rare, common = _split_by_frequency(conn, terms)
    if not rare or not common:
        queries = [match_expression(terms)]
    else:
        either_rare, any_common = match_expression(rare), match_expression(common)
        queries = [
            f"({either_rare}) AND ({any_common})",
            f"({either_rare}) NOT ({any_common})",
        ]
    found: list[tuple[int, float]] = []
    for match in queries:
        found += conn.execute(
            f"SELECT {FTS_TABLE}.rowid, {BM25} AS bm25_rank FROM {FTS_TABLE} {joins} "
            f"WHERE {FTS_TABLE} MATCH ? AND {where} ORDER BY bm25_rank, {FTS_TABLE}.rowid LIMIT ?",
            [match, *params, limit],
        ).fetchall()
    found.sort(key=lambda row: (row[1], row[0]))
    return [(int(rowid), float(rank)) for rowid, rank in found[:limit]]


def _split_by_frequency(conn: sqlite3.Connection, terms: list[str]) -> tuple[list[str], list[str]]:
    """Rarest terms first while the passages they match stay within the scoring budget."""
    (total,) = conn.execute("SELECT max(rowid) FROM passages").fetchone()
    budget = max(MIN_BUDGET, int(BUDGET_SHARE * (total or 0)))
    frequency: dict[str, int] = {}
    for term in dict.fromkeys(terms):
        match = match_expression([term])
        if match:
            (frequency[term],) = conn.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
                "LIMIT ?)",
                (match, budget + 1),
            ).fetchone()
    rare: list[str] = []
    spent = 0
    for term in sorted(frequency, key=frequency.__getitem__):
        if spent + frequency[term] > budget:
            break
        rare.append(term)
        spent += frequency[term]
    return rare, [term for term in frequency if term not in rare]


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
