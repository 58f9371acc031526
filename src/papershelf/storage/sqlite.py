"""The default store: one SQLite file (WAL) with an FTS5 index over passages and each passage's
index tokens, which lexical search scores in memory (sqlite_search.py).

Threads: each thread gets its own connection (created on first use, all closed by `close`),
so the MCP server's worker threads read in parallel and never share a cursor. Processes: WAL
lets any number of readers run beside one writer; writers queue on the busy timeout.
"""

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np

from papershelf.core.errors import StoreError
from papershelf.core.models import Document, Paper, PaperFilter, Passage
from papershelf.storage import sqlite_rows as rows
from papershelf.storage import sqlite_terms as terms
from papershelf.storage import sqlite_vectors as vectors
from papershelf.storage.base import PendingPassage, TermVectors, VectorSet
from papershelf.storage.migrations import migrate
from papershelf.storage.shared import check_passages_belong
from papershelf.storage.sqlite_connection import (
    connect,
    read_transaction,
    store_error,
    write_transaction,
)
from papershelf.storage.sqlite_fts import (
    ensure_index_current,
    index_is_current,
    index_passages,
    match_expression,
    rebuild_index,
    unindex_paper,
)
from papershelf.storage.sqlite_held_index import current_index, database_file, release
from papershelf.storage.sqlite_postings import (
    ensure_postings_current,
    forget_postings,
    postings_are_current,
    rebuild_postings,
    record_postings,
)
from papershelf.storage.sqlite_search import ranked_ids, rows_by_id

# Long enough to queue behind another process's put (a 300-passage paper takes ~0.2 s),
# short enough that a blocked command says so instead of hanging.
DEFAULT_BUSY_TIMEOUT_S = 5.0


class SqliteStore:
    """A Store in one SQLite file; the file and its folders are created when missing."""

    def __init__(self, path: Path, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S):
        self.path = Path(path).expanduser()
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._registry_lock = threading.Lock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder of the library database {self.path} "
                f"({exc.strerror}); set PAPERSHELF_HOME to a writable folder"
            ) from exc
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        with self._errors():
            conn = self._connection()
            migrate(conn, f"the library database {self.path}")
            if not index_is_current(conn) or not postings_are_current(conn):
                with write_transaction(conn):
                    ensure_index_current(conn)
                    ensure_postings_current(conn)

    # Connections and errors

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        with self._registry_lock:
            if self._closed:
                raise StoreError(f"the library database {self.path} was closed; open it again")
            self._close_connections_of_finished_threads()
            conn = connect(self.path, self._busy_timeout_s)
            conn.row_factory = sqlite3.Row
            self._connections.append((threading.current_thread(), conn))
        self._local.conn = conn
        return conn

    def _close_connections_of_finished_threads(self) -> None:
        alive = []
        for thread, conn in self._connections:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                conn.close()
        self._connections = alive

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from exc

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._errors(), read_transaction(self._connection()) as conn:
            yield conn

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._errors(), write_transaction(self._connection()) as conn:
            yield conn

    def close(self) -> None:
        with self._registry_lock:
            self._closed = True
            if self._connections:
                with suppress(sqlite3.Error):  # closing must not hide why opening failed
                    release(database_file(self._connections[0][1]))
            for _, conn in self._connections:
                conn.close()
            self._connections = []
        self._local = threading.local()

    # Writes

    def put(self, document: Document) -> None:
        check_passages_belong(document)
        paper = document.paper
        with self._errors():
            try:
                with write_transaction(self._connection()) as conn:
                    self._replace(conn, document)
            except sqlite3.IntegrityError as exc:
                raise StoreError(
                    f"cannot store {paper.id}: {exc} (duplicate ordinals, or its arXiv id is "
                    "stored under another paper id); the library was left unchanged"
                ) from exc

    def _replace(self, conn: sqlite3.Connection, document: Document) -> None:
        paper = document.paper
        # Unchanged passages keep their vectors: re-adding a paper costs no embedding.
        kept = vectors.kept_vectors(conn, paper.id, paper.title)
        self._delete(conn, paper.id)
        conn.execute(rows.INSERT_PAPER, rows.paper_values(paper))
        conn.execute(
            "INSERT INTO paper_texts(paper_id, content) VALUES (?, ?)",
            (paper.id, document.content),
        )
        conn.executemany(
            "INSERT INTO paper_collections(paper_id, collection) VALUES (?, ?)",
            [(paper.id, name) for name in dict.fromkeys(paper.collections)],
        )
        conn.executemany(
            rows.INSERT_SECTION, [rows.section_values(paper.id, s) for s in document.sections]
        )
        first = self._insert_passages(conn, paper, document.passages)
        if kept:
            vectors.restore_vectors(
                conn,
                kept,
                [(first + i, p.section, p.text) for i, p in enumerate(document.passages)],
            )

    def _insert_passages(
        self, conn: sqlite3.Connection, paper: Paper, passages: list[Passage]
    ) -> int:
        # One paper's passages get consecutive rowids, so a paper filter is a rowid range in FTS.
        first_rowid = vectors.next_passage_key(conn, len(passages))
        values = [rows.passage_values(first_rowid + i, p) for i, p in enumerate(passages)]
        conn.executemany(rows.INSERT_PASSAGE, values)
        terms.count_passages(conn, (p.text for p in passages))
        indexed = [(first_rowid + i, p.section, p.text) for i, p in enumerate(passages)]
        index_passages(conn, indexed, paper.title)
        record_postings(conn, indexed, paper.title)
        return first_rowid

    def _delete(self, conn: sqlite3.Connection, paper_id: str) -> bool:
        # Another papershelf version may have re-indexed since this store opened.
        ensure_index_current(conn)
        ensure_postings_current(conn)
        unindex_paper(conn, paper_id)
        forget_postings(conn, paper_id)
        terms.uncount_paper(conn, paper_id)
        vectors.bump_version(conn)
        return conn.execute("DELETE FROM papers WHERE id = ?", (paper_id,)).rowcount > 0

    def remove(self, paper_id: str) -> bool:
        with self._writing() as conn:
            return self._delete(conn, paper_id)

    def reindex(self) -> None:
        """Rebuild the full-text index from the stored passages (repairs a damaged index)."""
        with self._writing() as conn:
            rebuild_index(conn)
            rebuild_postings(conn)

    # Vectors of passages and of the term lexicon

    def passages_missing_vectors(
        self, embedder_id: str, limit: int = 256, paper_ids: Sequence[str] | None = None
    ) -> list[PendingPassage]:
        with self._errors():
            return vectors.missing(self._connection(), embedder_id, limit, paper_ids)

    def count_missing_vectors(
        self, embedder_id: str, paper_ids: Sequence[str] | None = None
    ) -> int:
        with self._errors():
            return vectors.count_missing(self._connection(), embedder_id, paper_ids)

    def set_vectors(self, embedder_id: str, keys: Sequence[int], matrix: np.ndarray) -> int:
        with self._writing() as conn:
            return vectors.store_vectors(conn, embedder_id, keys, matrix)

    def vectors(
        self,
        embedder_id: str,
        unless_version: str | None = None,
        since: VectorSet | None = None,
    ) -> VectorSet | None:
        with self._reading() as conn:
            if unless_version is not None and vectors.read_version(conn) == unless_version:
                return None
            if since is not None:
                return vectors.load_vectors_since(conn, embedder_id, since)
            return vectors.load_vectors(conn, embedder_id)

    def get_passages(self, keys: Sequence[int]) -> dict[int, Passage]:
        with self._errors():
            return vectors.passages_by_key(self._connection(), keys)

    def terms_missing_vectors(
        self, embedder_id: str, min_df: int = 2, limit: int = 512
    ) -> list[str]:
        with self._errors():
            return terms.missing(self._connection(), embedder_id, min_df, limit)

    def set_term_vectors(self, embedder_id: str, words: Sequence[str], matrix: np.ndarray) -> int:
        with self._writing() as conn:
            return terms.store_vectors(conn, embedder_id, words, matrix)

    def term_vectors(
        self,
        embedder_id: str,
        min_df: int = 2,
        limit: int = 50_000,
        unless_version: str | None = None,
        since: TermVectors | None = None,
    ) -> TermVectors | None:
        with self._reading() as conn:
            if unless_version is not None and vectors.read_version(conn) == unless_version:
                return None
            if since is not None:
                return terms.load_vectors_since(conn, embedder_id, min_df, limit, since)
            return terms.load_vectors(conn, embedder_id, min_df, limit)

    # Reads

    def get(self, paper_id: str) -> Paper | None:
        with self._errors():
            row = (
                self._connection()
                .execute(f"SELECT {rows.PAPER_COLUMNS} FROM papers pa WHERE pa.id = ?", (paper_id,))
                .fetchone()
            )
        return None if row is None else rows.paper_from_row(row)

    def get_document(self, paper_id: str) -> Document | None:
        with self._reading() as conn:
            paper_row = conn.execute(
                f"SELECT {rows.PAPER_COLUMNS}, t.content FROM papers pa "
                "LEFT JOIN paper_texts t ON t.paper_id = pa.id WHERE pa.id = ?",
                (paper_id,),
            ).fetchone()
            if paper_row is None:
                return None
            section_rows = conn.execute(
                f"SELECT {rows.SECTION_COLUMNS} FROM sections WHERE paper_id = ? ORDER BY ordinal",
                (paper_id,),
            ).fetchall()
            passage_rows = conn.execute(
                f"SELECT {rows.PASSAGE_COLUMNS}, ps.vector FROM passages ps "
                "WHERE ps.paper_id = ? ORDER BY ps.ordinal",
                (paper_id,),
            ).fetchall()
        return Document(
            paper=rows.paper_from_row(paper_row),
            content=paper_row["content"] or "",
            sections=[rows.section_from_row(row) for row in section_rows],
            passages=[rows.passage_from_row(row, with_vector=True) for row in passage_rows],
        )

    def find(
        self,
        *,
        arxiv_id: str | None = None,
        content_sha256: str | None = None,
        file_sha256: str | None = None,
        legacy_id: str | None = None,
    ) -> Paper | None:
        keys = {
            "arxiv_id": arxiv_id,
            "content_sha256": content_sha256,
            "file_sha256": file_sha256,
            "legacy_id": legacy_id,
        }
        with self._errors():
            conn = self._connection()
            for column, value in keys.items():
                if not value:
                    continue
                row = conn.execute(
                    f"SELECT {rows.PAPER_COLUMNS} FROM papers pa WHERE pa.{column} = ? "
                    "ORDER BY pa.id LIMIT 1",
                    (value,),
                ).fetchone()
                if row is not None:
                    return rows.paper_from_row(row)
        return None

    def search_lexical(
        self, terms: list[str], limit: int = 20, filter: PaperFilter | None = None
    ) -> list[tuple[Passage, float]]:
        """Passages matching any term, best bm25 first; the passages come without their vectors."""
        if not match_expression(terms) or limit <= 0:
            return []
        where, params = rows.filter_sql(filter)
        with self._reading() as conn:
            # Rank ids first and read passage rows only for the winners.
            ranked = ranked_ids(conn, terms, limit, where=where, params=params)
            texts = rows_by_id(conn, [rowid for rowid, _ in ranked])
        found = [(texts[rowid], -rank) for rowid, rank in ranked if rowid in texts]
        return [(rows.passage_from_row(row), score) for row, score in found]

    def indexed_tokens(self, tokens: Sequence[str]) -> set[str]:
        if not tokens:
            return set()
        with self._reading() as conn:
            index = current_index(conn)
        return {token for token in tokens if index.holds(token)}

    # From here on `list` names this method, so later annotations cannot use `list[...]`.
    def list(
        self, filter: PaperFilter | None = None, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        where, params = rows.filter_sql(filter)
        with self._errors():
            found = (
                self._connection()
                .execute(
                    f"SELECT {rows.PAPER_COLUMNS} FROM papers pa WHERE {where} "
                    "ORDER BY pa.published IS NULL, pa.published DESC, pa.title COLLATE NOCASE, pa.id "
                    "LIMIT ? OFFSET ?",
                    [*params, max(limit, 0), max(offset, 0)],
                )
                .fetchall()
            )
        return [rows.paper_from_row(row) for row in found]

    def titles(self, paper_ids: Sequence[str]) -> dict[str, str]:
        sql = "SELECT id, title FROM papers WHERE id IN (SELECT value FROM json_each(?))"
        with self._errors():
            found = self._connection().execute(sql, [json.dumps(list(paper_ids))]).fetchall()
        return dict(found)

    def count(self, filter: PaperFilter | None = None) -> int:
        where, params = rows.filter_sql(filter)
        with self._errors():
            (total,) = (
                self._connection()
                .execute(f"SELECT count(*) FROM papers pa WHERE {where}", params)
                .fetchone()
            )
        return int(total)

    def collections(self) -> dict[str, int]:
        with self._errors():
            found = (
                self._connection()
                .execute(
                    "SELECT collection, count(*) FROM paper_collections "
                    "GROUP BY collection ORDER BY collection"
                )
                .fetchall()
            )
        return {name: int(number) for name, number in found}
