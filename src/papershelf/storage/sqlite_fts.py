"""The SQLite full-text index over passages: what goes in, how it is kept exact, how it is queried.

`passages_fts` is contentless: it stores only the index, not a second copy of the analysed text.
Deleting from a contentless FTS5 table means handing it the exact values that were indexed, so
rows are always re-analysed from `passages` and the analyser fingerprint is kept in `store_meta`;
when the fingerprint changes (new analyser, new Unicode tables) the index is rebuilt.
"""

import json
import logging
import sqlite3
import unicodedata
from collections.abc import Iterable

from papershelf.core.chinese_script import table_digest
from papershelf.core.regional_words import words_digest
from papershelf.core.textindex import ANALYZER_VERSION, index_stored_text
from papershelf.storage.shared import folded_author_names
from papershelf.storage.sqlite_vectors import bump_version

log = logging.getLogger(__name__)

FTS_TABLE = "passages_fts"
# Weights of the body, title and heading columns in bm25: a term in the paper's title or the
# passage's heading says more about the passage than one more mention in its text.
BODY_WEIGHT, TITLE_WEIGHT, HEADING_WEIGHT = 1.0, 2.0, 2.0
BM25 = f"bm25({FTS_TABLE}, {BODY_WEIGHT}, {TITLE_WEIGHT}, {HEADING_WEIGHT})"

# unicode61 keeps '.' inside tokens because index_text only leaves it between digits ('81.6').
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(body, title, heading, content='', "
    "tokenize=\"porter unicode61 remove_diacritics 2 tokenchars '.'\")"
)
ANALYZER_KEY = "fts_analyzer"


def analyzer_fingerprint() -> str:
    """Changes whenever the indexed tokens of the same text could change."""
    unicode = unicodedata.unidata_version
    return f"textindex-{ANALYZER_VERSION}/unicode-{unicode}/script-{table_digest()}/words-{words_digest()}"


def match_expression(terms: Iterable[str]) -> str:
    """An FTS5 MATCH string that ORs the terms, each quoted so no user text acts as syntax."""
    quoted = []
    for term in dict.fromkeys(term.strip() for term in terms):
        if any(char.isalnum() for char in term):
            quoted.append('"' + term.replace('"', '""') + '"')
    return " OR ".join(quoted)


def _fts_values(
    rows: Iterable[tuple[int, str, str]], title: str
) -> list[tuple[int, str, str, str]]:
    indexed_title = index_stored_text(title)
    headings: dict[str, str] = {}
    values = []
    for rowid, heading, text in rows:
        if heading not in headings:
            headings[heading] = index_stored_text(heading)
        values.append((rowid, index_stored_text(text), indexed_title, headings[heading]))
    return values


def index_passages(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]], title: str
) -> None:
    """Add (passage rowid, section heading, text) rows of one paper to the index."""
    conn.executemany(
        f"INSERT INTO {FTS_TABLE}(rowid, body, title, heading) VALUES (?, ?, ?, ?)",
        _fts_values(rows, title),
    )


def unindex_paper(conn: sqlite3.Connection, paper_id: str) -> None:
    """Remove a stored paper's passages from the index; call before deleting its rows."""
    found = conn.execute("SELECT title FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if found is None:
        return
    rows = conn.execute(
        "SELECT id, section, text FROM passages WHERE paper_id = ?", (paper_id,)
    ).fetchall()
    conn.executemany(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body, title, heading) "
        "VALUES ('delete', ?, ?, ?, ?)",
        _fts_values(rows, found[0]),
    )


def rebuild_index(conn: sqlite3.Connection) -> None:
    """Re-analyse every passage; the caller holds a write transaction."""
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    papers = conn.execute("SELECT id, title, authors FROM papers").fetchall()
    for paper_id, title, authors in papers:
        rows = conn.execute(
            "SELECT id, section, text FROM passages WHERE paper_id = ?", (paper_id,)
        ).fetchall()
        index_passages(conn, rows, title)
        conn.execute(
            "UPDATE papers SET authors_folded = ? WHERE id = ?",
            (folded_author_names(json.loads(authors)), paper_id),
        )
    conn.execute(
        "INSERT OR REPLACE INTO store_meta(key, value) VALUES (?, ?)",
        (ANALYZER_KEY, analyzer_fingerprint()),
    )
    # Readers' caches of what the old index held are keyed by this version.
    bump_version(conn)


def ensure_index_current(conn: sqlite3.Connection) -> None:
    """Rebuild the index when another analyser wrote it; the caller holds a write transaction."""
    stored = _stored_fingerprint(conn)
    if stored != analyzer_fingerprint():
        if stored is not None:  # a new library has nothing to rebuild, nothing to say
            log.warning("the search index was built by another text analyser: rebuilding it")
        rebuild_index(conn)


def index_is_current(conn: sqlite3.Connection) -> bool:
    return _stored_fingerprint(conn) == analyzer_fingerprint()


def _stored_fingerprint(conn: sqlite3.Connection) -> str | None:
    found = conn.execute("SELECT value FROM store_meta WHERE key = ?", (ANALYZER_KEY,)).fetchone()
    return None if found is None else str(found[0])
