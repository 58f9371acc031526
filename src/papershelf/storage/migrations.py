"""Named, ordered schema migrations of the SQLite store, each applied once and recorded."""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from papershelf.core.errors import StoreError
from papershelf.storage.sqlite_connection import write_transaction
from papershelf.storage.sqlite_fts import ANALYZER_KEY, CREATE_FTS, analyzer_fingerprint
from papershelf.storage.sqlite_postings import CREATE_POSTINGS, rebuild_postings
from papershelf.storage.sqlite_terms import count_passages


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: list[Migration] = []


def migration(
    function: Callable[[sqlite3.Connection], None],
) -> Callable[[sqlite3.Connection], None]:
    """Register a migration; its function name is its permanent name, so never rename one."""
    MIGRATIONS.append(Migration(function.__name__, function))
    return function


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    statements = [
        """CREATE TABLE papers (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            arxiv_id TEXT UNIQUE,
            version INTEGER,
            title TEXT NOT NULL,
            authors TEXT NOT NULL,
            authors_folded TEXT NOT NULL,
            abstract TEXT NOT NULL,
            categories TEXT NOT NULL,
            keywords TEXT NOT NULL,
            published TEXT,
            updated TEXT,
            added TEXT,
            language TEXT NOT NULL,
            collections TEXT NOT NULL,
            pages INTEGER,
            doi TEXT,
            journal_ref TEXT,
            origin TEXT NOT NULL,
            file_sha256 TEXT,
            content_sha256 TEXT NOT NULL,
            extractor_version TEXT NOT NULL,
            legacy_id TEXT
        )""",
        "CREATE INDEX papers_content_sha256 ON papers(content_sha256)",
        "CREATE INDEX papers_file_sha256 ON papers(file_sha256)",
        "CREATE INDEX papers_legacy_id ON papers(legacy_id)",
        "CREATE INDEX papers_published ON papers(published)",
        """CREATE TABLE paper_texts (
            paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            content TEXT NOT NULL
        )""",
        """CREATE TABLE paper_collections (
            paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            collection TEXT NOT NULL,
            PRIMARY KEY (paper_id, collection)
        ) WITHOUT ROWID""",
        "CREATE INDEX paper_collections_collection ON paper_collections(collection)",
        """CREATE TABLE sections (
            paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            heading TEXT NOT NULL,
            level INTEGER NOT NULL,
            page_start INTEGER,
            page_end INTEGER,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            PRIMARY KEY (paper_id, ordinal)
        ) WITHOUT ROWID""",
        """CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            section TEXT NOT NULL,
            page_start INTEGER,
            page_end INTEGER,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            text TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            language TEXT NOT NULL,
            vector BLOB,
            embedder TEXT,
            UNIQUE (paper_id, ordinal)
        )""",
        CREATE_FTS,
        "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]
    for statement in statements:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO store_meta(key, value) VALUES (?, ?)", (ANALYZER_KEY, analyzer_fingerprint())
    )


@migration
def m002_passage_vectors(conn: sqlite3.Connection) -> None:
    """Vectors are looked up by embedder (hybrid search); passage keys are never reused from now
    on, so the high-water mark starts at the highest key in use; readers cache by data_version;
    the term lexicon for cross-lingual queries."""
    conn.execute("CREATE INDEX passages_embedder ON passages(embedder)")
    # The corpus's own English vocabulary with its embeddings: Chinese query words are carried
    # over to the English words nearest to them (cross-lingual lexical search).
    conn.execute(
        """CREATE TABLE terms (
            term TEXT PRIMARY KEY,
            df INTEGER NOT NULL,
            vector BLOB,
            embedder TEXT
        ) WITHOUT ROWID"""
    )
    conn.execute(
        "INSERT OR REPLACE INTO store_meta(key, value) "
        "SELECT 'passage_key_high', CAST(coalesce(max(id), 0) AS TEXT) FROM passages"
    )
    conn.execute("INSERT OR REPLACE INTO store_meta(key, value) VALUES ('data_version', '1')")
    count_passages(conn, (row[0] for row in conn.execute("SELECT text FROM passages")))


@migration
def m003_paper_legacy_fields(conn: sqlite3.Connection) -> None:
    """An imported record's fields papershelf has no column for, kept for its export (JSON)."""
    conn.execute("ALTER TABLE papers ADD COLUMN legacy_fields TEXT NOT NULL DEFAULT '{}'")


@migration
def m004_passage_tokens(conn: sqlite3.Connection) -> None:
    """Each passage's index tokens for the in-memory lexical index (sqlite_postings.py), analysed
    from the stored passages (about 2,000 passages a second)."""
    for statement in CREATE_POSTINGS:
        conn.execute(statement)
    rebuild_postings(conn)


@migration
def m005_vector_stamps(conn: sqlite3.Connection) -> None:
    """Each vector (of a passage or a lexicon word) is stamped with the store version its write
    made, so a reader holding the vectors of one version reads only those written after it
    (sqlite_vectors.py). Vectors written before have none; every process starts with a whole
    read, which takes them, and reads since it find them in its earlier set. Creating the indexes
    reads every row once, under the write lock (0.9 s at 10^5 passages, the file cached)."""
    conn.execute("ALTER TABLE passages ADD COLUMN vector_stamp INTEGER")
    conn.execute("CREATE INDEX passages_embedder_stamp ON passages(embedder, vector_stamp)")
    # The lexicon's words likewise (sqlite_terms.py); they are listed in order without vectors.
    conn.execute("ALTER TABLE terms ADD COLUMN vector_stamp INTEGER")
    conn.execute("CREATE INDEX terms_embedder_stamp ON terms(embedder, vector_stamp)")
    conn.execute("CREATE INDEX terms_embedder_df ON terms(embedder, df)")


def _applied(conn: sqlite3.Connection) -> set[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if exists is None:
        return set()
    return {name for (name,) in conn.execute("SELECT name FROM schema_migrations")}


def _pending(conn: sqlite3.Connection, where: str) -> list[Migration]:
    applied = _applied(conn)
    unknown = applied - {m.name for m in MIGRATIONS}
    if unknown:
        raise StoreError(
            f"{where} was written by a newer papershelf (unknown migrations: "
            f"{', '.join(sorted(unknown))}); upgrade papershelf to open it"
        )
    return [m for m in MIGRATIONS if m.name not in applied]


def migrate(conn: sqlite3.Connection, where: str) -> list[str]:
    """Apply the pending migrations in order, in one write transaction; the names applied.

    Checks without the write lock first, so opening an up-to-date database never waits on a
    writer. `conn` must be in autocommit mode (isolation_level=None).
    """
    if not _pending(conn, where):
        return []
    with write_transaction(conn):
        pending = _pending(conn, where)  # another process may have migrated meanwhile
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        for step in pending:
            step.apply(conn)
            conn.execute(
                "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                (step.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
    return [step.name for step in pending]
