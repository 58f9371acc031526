"""Opening SQLite connections for the store, its transactions, and its errors in plain words."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papershelf.core.errors import StoreError


def connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL and foreign keys on."""
    conn = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is safe in WAL mode: a power cut may lose the last commits, never consistency.
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, rolls back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One snapshot for several SELECTs, so a concurrent write is seen entirely or not at all."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """The StoreError a user can act on for a SQLite failure on the database at path."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return StoreError(
            f"the library database {path} is busy: another papershelf process is writing; "
            "retry when it finishes"
        )
    if code.startswith("SQLITE_NOTADB") or "file is not a database" in text:
        return StoreError(
            f"{path} is not a SQLite database: move it aside, or point PAPERSHELF_STORE "
            "at another file"
        )
    if code.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return StoreError(
            f"the library database {path} is corrupt: restore a backup, or move it aside "
            "and add your papers again"
        )
    if code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_FULL")):
        return StoreError(
            f"cannot write the library database {path} ({text}): check the folder's "
            "permissions and free disk space, or set PAPERSHELF_HOME elsewhere"
        )
    return StoreError(f"the library database {path} failed: {text}")
