"""Lexical search over the FTS5 index in two stages, so common words do not cost a BM25 score for
most of the library.

FTS5 scores every row that matches any query term; at 10^5 passages a word like 'model' matches
two thirds of them. Here each term's posting list is counted first (up to a cap). When the rarest
terms together stay within a budget (rare) and others do not (common), only passages holding a
rare term are scored,
in two queries whose BM25 is exact: `rare AND common` and `rare NOT common` (FTS5's IDF is over
the whole table and a term a row lacks adds nothing, so splitting the OR changes no score). What
is lost is a passage that holds common terms only, which BM25 ranks below every rare-term match
that shares its common terms anyway.

A common term in at least half the passages is left out of both queries: FTS5's bm25 clamps its
IDF to 1e-6, so it changes no score that matters, yet its posting list ('model', 'training': two
thirds of a large library) is the longest one to read.
"""

import json
import sqlite3
import threading
from collections import OrderedDict

from papershelf.storage import sqlite_rows as rows
from papershelf.storage.shared import BUDGET_SHARE, MIN_BUDGET, rare_terms
from papershelf.storage.sqlite_fts import BM25, FTS_TABLE, match_expression
from papershelf.storage.sqlite_vectors import read_version

# Probed posting-list lengths, by (database file, data version, cap, term): every write bumps
# the version, and questions share their common words, whose probes cost the most (up to half
# the library's postings each: ~6 ms per word the first time at 10^5 passages).
PROBES_KEPT = 20_000
_probes: OrderedDict[tuple[str, str, int, str], int] = OrderedDict()
_probes_lock = threading.Lock()


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
        queries = [match_expression(rare or common)]
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
    """Rarest terms first while the passages they match stay within the scoring budget, and the
    common terms that still weigh something next to them."""
    counts = _Counts(conn)
    passages = counts.passages()
    budget = max(MIN_BUDGET, int(BUDGET_SHARE * passages))
    # One count per term tells both whether it is rare and whether it weighs anything: bm25's
    # IDF is log((N - n + 0.5) / (n + 0.5)), clamped to 1e-6 once n >= N / 2.
    frequency = counts.matches(terms, max(budget + 1, (passages + 1) // 2))
    rare = rare_terms(frequency, budget)
    if len(rare) == len(frequency):
        return list(frequency), []  # no split: the terms in their own order, as bm25 adds them
    common = [term for term in frequency if term not in rare]
    if rare:
        common = [term for term in common if 2 * frequency[term] < passages]
    return rare, common


class _Counts:
    """Posting-list lengths and the passage count of one database, kept across searches for its
    file and data version (every write bumps the version)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        (file,) = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
        # An in-memory database has no name to tell it from another one: never kept.
        self.kept_as = (file, read_version(conn)) if file else None

    def matches(self, terms: list[str], cap: int) -> dict[str, int]:
        """How many passages match each term, counted up to `cap`; terms that match nothing as
        FTS syntax (no letter or digit) are left out."""
        frequency: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            match = match_expression([term])
            if match:
                frequency[term] = self._kept(
                    term,
                    cap,
                    f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH ? LIMIT ?)",
                    (match, cap),
                )
        return frequency

    def passages(self) -> int:
        return self._kept("", 0, "SELECT count(*) FROM passages", ())

    def _kept(self, term: str, cap: int, sql: str, params: tuple[object, ...]) -> int:
        key = None if self.kept_as is None else (*self.kept_as, cap, term)
        with _probes_lock:
            known = None if key is None else _probes.get(key)
        if known is None:
            (known,) = self.conn.execute(sql, params).fetchone()
            if key is not None:
                with _probes_lock:
                    _probes[key] = known
                    while len(_probes) > PROBES_KEPT:
                        _probes.popitem(last=False)
        return int(known)


def forget_probes() -> None:
    """Drop every probed count (benchmarks measuring a first question use it)."""
    with _probes_lock:
        _probes.clear()


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
