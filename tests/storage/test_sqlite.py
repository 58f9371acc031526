"""The SQLite store: the Store contract plus its file, schema, index and error behaviour."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.core.errors import StoreError
from papershelf.core.models import PaperFilter
from papershelf.storage.migrations import MIGRATIONS
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import StoreContract, found_texts, make_document


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library" / "papershelf.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(db_path)
    yield opened
    opened.close()


class TestSqliteStoreContract(StoreContract):
    pass


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def indexed_terms(path: Path) -> dict[str, int]:
    """Term -> number of passages holding it, read from the FTS index itself."""
    conn = raw(path)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, passages_fts, 'row')")
    terms = dict(conn.execute("SELECT term, doc FROM temp.vocab"))
    conn.close()
    return terms


# The file and its schema


def test_the_database_file_and_its_folders_are_created(store: SqliteStore, db_path: Path) -> None:
    assert db_path.is_file()


def test_the_database_uses_write_ahead_logging(store: SqliteStore, db_path: Path) -> None:
    assert raw(db_path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_recorded_once_in_order(store: SqliteStore, db_path: Path) -> None:
    store.close()
    SqliteStore(db_path).close()
    recorded = [row[0] for row in raw(db_path).execute("SELECT name FROM schema_migrations")]
    assert recorded == [m.name for m in MIGRATIONS]
    assert recorded[0] == "m001_initial"


def test_reopening_keeps_the_papers(store: SqliteStore, db_path: Path) -> None:
    store.put(make_document("doc:1", ["zebra crossing"]))
    store.close()
    reopened = SqliteStore(db_path)
    assert reopened.get("doc:1") is not None
    assert found_texts(reopened, "zebra") == ["zebra crossing"]
    reopened.close()


def test_a_database_from_a_newer_papershelf_is_refused(store: SqliteStore, db_path: Path) -> None:
    store.close()
    raw(db_path).execute("INSERT INTO schema_migrations VALUES ('m999_future', 'later')")
    with pytest.raises(StoreError, match=r"newer papershelf.*m999_future"):
        SqliteStore(db_path)


# The full-text index


def test_replacing_and_removing_papers_leaves_no_stale_index_terms(
    store: SqliteStore, db_path: Path
) -> None:
    store.put(make_document("doc:1", ["zebra crossing", "像素洗牌"], title="Old"))
    store.put(make_document("doc:1", ["giraffe neck"], title="New"))
    assert {"zebra", "像素", "old"}.isdisjoint(indexed_terms(db_path))
    assert indexed_terms(db_path)["neck"] == 1
    store.remove("doc:1")
    assert indexed_terms(db_path) == {}


def test_the_index_is_rebuilt_when_the_analyser_changed(
    store: SqliteStore, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store.put(make_document("doc:1", ["zebra crossing"]))
    store.close()
    opened = [*caplog.get_records("setup"), *caplog.get_records("call")]
    assert not any("rebuilding" in r.getMessage() for r in opened)  # a new library: nothing to do
    conn = raw(db_path)
    conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('delete-all')")
    conn.execute("UPDATE store_meta SET value = 'textindex-0' WHERE key = 'fts_analyzer'")
    conn.close()
    reopened = SqliteStore(db_path)
    assert "search index was built by another text analyser: rebuilding it" in caplog.text
    assert found_texts(reopened, "zebra") == ["zebra crossing"]
    reopened.remove("doc:1")
    assert indexed_terms(db_path) == {}
    reopened.close()


def test_an_analyser_change_refolds_the_author_names(store: SqliteStore, db_path: Path) -> None:
    store.put(make_document("doc:1", authors=["張曉明"]))
    store.close()
    older = raw(db_path)  # as an analyser that only folded case left it
    older.execute("UPDATE papers SET authors_folded = '張曉明'")
    older.execute("UPDATE store_meta SET value = 'textindex-0' WHERE key = 'fts_analyzer'")
    older.close()
    reopened = SqliteStore(db_path)
    try:
        assert [p.id for p in reopened.list(PaperFilter(author="张晓明"))] == ["doc:1"]
    finally:
        reopened.close()


def test_a_write_rebuilds_an_index_another_version_rewrote_meanwhile(
    store: SqliteStore, db_path: Path, tmp_path: Path
) -> None:
    store.put(make_document("doc:1", ["zebra crossing"]))
    other_version = raw(db_path)
    other_version.execute("INSERT INTO passages_fts(passages_fts) VALUES ('delete-all')")
    other_version.execute("UPDATE store_meta SET value = 'textindex-0' WHERE key = 'fts_analyzer'")
    other_version.close()
    store.put(make_document("doc:1", ["giraffe neck"]))
    fresh = SqliteStore(tmp_path / "fresh.db")
    fresh.put(make_document("doc:1", ["giraffe neck"]))
    fresh.close()
    assert indexed_terms(db_path) == indexed_terms(tmp_path / "fresh.db")


def test_reindex_repairs_a_damaged_index(store: SqliteStore, db_path: Path) -> None:
    store.put(make_document("doc:1", ["zebra crossing"]))
    vandal = raw(db_path)
    vandal.execute("INSERT INTO passages_fts(passages_fts) VALUES ('delete-all')")
    vandal.close()
    store.reindex()
    assert found_texts(store, "zebra") == ["zebra crossing"]
    store.remove("doc:1")
    assert indexed_terms(db_path) == {}


# Atomic writes


def test_a_failed_put_leaves_the_previous_paper_intact(store: SqliteStore) -> None:
    original = make_document("doc:1", ["zebra crossing"], title="Original")
    store.put(original)
    broken = make_document("doc:1", ["giraffe one", "giraffe two"], title="Broken")
    broken.passages[1].ordinal = 0
    with pytest.raises(StoreError, match=r"cannot store doc:1.*left unchanged"):
        store.put(broken)
    assert store.get_document("doc:1") == original
    assert found_texts(store, "zebra") == ["zebra crossing"]
    assert found_texts(store, "giraffe") == []


def test_an_arxiv_id_already_stored_under_another_id_is_refused(store: SqliteStore) -> None:
    store.put(make_document("arxiv:2504.05299", arxiv_id="2504.05299"))
    with pytest.raises(StoreError, match="cannot store doc:1"):
        store.put(make_document("doc:1", arxiv_id="2504.05299"))
    assert store.count() == 1


def test_passages_of_another_paper_are_refused(store: SqliteStore) -> None:
    document = make_document("doc:1", ["text"])
    document.passages[0].paper_id = "doc:2"
    with pytest.raises(StoreError, match="passages of doc:2"):
        store.put(document)
    assert store.get("doc:1") is None


# Unusable files and folders


def test_a_file_that_is_not_a_database_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "papers.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(StoreError, match=r"papers\.db is not a SQLite database: move it aside"):
        SqliteStore(path)


def test_a_corrupt_database_is_named_in_the_error(store: SqliteStore, db_path: Path) -> None:
    store.put(make_document("doc:1", [f"passage number {i} " * 40 for i in range(50)]))
    store.close()
    data = bytearray(db_path.read_bytes())
    page_size = 4096
    data[page_size:] = b"\xff" * (len(data) - page_size)
    db_path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"papershelf\.db is corrupt: restore a backup"):
        reopened = SqliteStore(db_path)
        reopened.get_document("doc:1")


def test_a_folder_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError, match=r"cannot create the folder.*PAPERSHELF_HOME"):
        SqliteStore(blocker / "papershelf.db")


def test_a_path_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot write the library database"):
        SqliteStore(tmp_path)


def test_a_closed_store_refuses_further_use(store: SqliteStore) -> None:
    store.close()
    with pytest.raises(StoreError, match="was closed"):
        store.get("doc:1")
