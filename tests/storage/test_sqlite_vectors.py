"""The SQLite store keeps the vector part of the Store contract."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from papershelf.storage import sqlite_terms, sqlite_vectors
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import make_document
from tests.storage.vector_contract import SPACE, VectorStoreContract, rows


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "vectors.db")
    yield opened
    opened.close()


class TestSqliteVectorContract(VectorStoreContract):
    pass


def test_a_read_since_reads_only_the_rows_written_after(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put(make_document("doc:1", ["one", "two"]))
    keys = [p.key for p in store.passages_missing_vectors(SPACE)]
    store.set_vectors(SPACE, keys, rows(2))
    earlier = store.vectors(SPACE)
    assert earlier is not None
    store.put(make_document("doc:2", ["three"]))
    added = [p.key for p in store.passages_missing_vectors(SPACE)]
    store.set_vectors(SPACE, added, rows(1, start=5))

    def whole_read(*_args: object) -> None:
        raise AssertionError("every vector was read again")

    monkeypatch.setattr(sqlite_vectors, "load_vectors", whole_read)
    later = store.vectors(SPACE, since=earlier)
    assert later is not None and later.carried == 2
    assert later.keys.tolist() == [*keys, *added]
    np.testing.assert_array_equal(later.matrix, np.concatenate([rows(2), rows(1, start=5)]))


def test_a_read_since_a_removal_reads_the_keys_not_the_vectors(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put(make_document("doc:1", ["one"]))
    store.put(make_document("doc:2", ["two", "three"]))
    store.set_vectors(SPACE, [p.key for p in store.passages_missing_vectors(SPACE)], rows(3))
    earlier = store.vectors(SPACE)
    assert earlier is not None
    store.remove("doc:1")

    def whole_read(*_args: object) -> None:
        raise AssertionError("every vector was read again")

    monkeypatch.setattr(sqlite_vectors, "load_vectors", whole_read)
    later = store.vectors(SPACE, since=earlier)
    assert later is not None and later.paper_ids.tolist() == ["doc:2", "doc:2"]
    assert later.keys.tolist() == earlier.keys[1:].tolist() and later.carried == 0
    np.testing.assert_array_equal(later.matrix, rows(3)[1:])


def test_vectors_written_before_stamps_existed_stay_in_a_read_since(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    opened = SqliteStore(path)
    opened.put(make_document("doc:1", ["one"]))
    opened.set_vectors(SPACE, [p.key for p in opened.passages_missing_vectors(SPACE)], rows(1))
    earlier = opened.vectors(SPACE)
    opened.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE passages SET vector_stamp = NULL")
    reopened = SqliteStore(path)
    reopened.put(make_document("doc:2", ["two"]))
    reopened.set_vectors(SPACE, [p.key for p in reopened.passages_missing_vectors(SPACE)], rows(1))
    assert earlier is not None
    later = reopened.vectors(SPACE, since=earlier)
    assert later is not None and later.paper_ids.tolist() == ["doc:1", "doc:2"]
    reopened.close()


def test_the_rows_written_since_are_found_through_the_stamp_index(store: SqliteStore) -> None:
    """Not through the embedder index alone, which would read every vector to find a few."""
    store.put(make_document("doc:1", ["one"]))
    plan = store._connection().execute(
        "EXPLAIN QUERY PLAN " + sqlite_vectors.ROWS_WRITTEN_SINCE, (0, SPACE)
    )
    steps = [row[3] for row in plan.fetchall()]
    assert any("passages_embedder_stamp (embedder=? AND vector_stamp>?)" in s for s in steps)


def test_a_lexicon_read_since_reads_only_the_words_embedded_after(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put(make_document("doc:1", ["alpha beta", "alpha beta"]))
    store.set_term_vectors(SPACE, ["alpha", "beta"], rows(2))
    earlier = store.term_vectors(SPACE)
    store.put(make_document("doc:2", ["gamma alpha", "gamma"]))
    store.set_term_vectors(SPACE, ["gamma"], rows(1, start=5))

    def whole_read(*_args: object) -> None:
        raise AssertionError("every word was read again")

    monkeypatch.setattr(sqlite_terms, "load_vectors", whole_read)
    assert earlier is not None
    later = store.term_vectors(SPACE, since=earlier)
    assert later is not None and later.terms == ["alpha", "beta", "gamma"]
    np.testing.assert_array_equal(later.matrix, np.concatenate([rows(2), rows(1, start=5)]))


def test_the_lexicon_read_since_reads_no_word_vector_it_does_not_need(store: SqliteStore) -> None:
    conn = store._connection()
    added = conn.execute("EXPLAIN QUERY PLAN " + sqlite_terms.WORDS_WRITTEN_SINCE, (SPACE, 0))
    assert any("terms_embedder_stamp" in row[3] for row in added.fetchall())
    listed = conn.execute("EXPLAIN QUERY PLAN " + sqlite_terms.ORDERED_WORDS, (SPACE, 2, 10))
    assert any("COVERING INDEX terms_embedder_df" in row[3] for row in listed.fetchall())
    named = conn.execute("EXPLAIN QUERY PLAN " + sqlite_terms.WORDS_NAMED, ('["a", "b"]', SPACE))
    assert any("USING PRIMARY KEY" in row[3] for row in named.fetchall())


def test_a_whole_lexicon_read_orders_by_the_index_and_reads_the_vectors_in_one_pass(
    store: SqliteStore,
) -> None:
    statements: list[str] = []
    conn = store._connection()
    conn.set_trace_callback(statements.append)
    store.term_vectors(SPACE)
    conn.set_trace_callback(None)
    plans = [
        str([row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()])
        for sql in statements
        if sql.startswith("SELECT term")
    ]
    assert len(plans) == 2
    assert "COVERING INDEX terms_embedder_df" in plans[0]
    assert "SCAN terms" in plans[1]


def test_a_read_since_a_set_of_a_later_version_reads_everything(tmp_path: Path) -> None:
    """A library file put back from a backup (or made again) under a process that read it."""
    later, older = SqliteStore(tmp_path / "later.db"), SqliteStore(tmp_path / "older.db")
    for store, start in ((later, 0.0), (older, 7.0)):
        store.put(make_document("doc:1", ["alpha beta", "alpha beta"]))
        store.set_vectors(SPACE, [p.key for p in store.passages_missing_vectors(SPACE)], rows(2))
        store.set_term_vectors(SPACE, ["alpha", "beta"], rows(2, start=start))
    for _ in range(3):
        later.set_vectors(SPACE, [1], rows(1))
    known, words = later.vectors(SPACE), later.term_vectors(SPACE)
    assert known is not None and words is not None
    older.set_vectors(SPACE, [1], rows(1, start=7))
    since = older.vectors(SPACE, since=known)
    assert since is not None and int(since.version) < int(known.version)
    np.testing.assert_array_equal(since.matrix, older.vectors(SPACE).matrix)  # type: ignore[union-attr]
    lexicon = older.term_vectors(SPACE, since=words)
    assert lexicon is not None
    np.testing.assert_array_equal(lexicon.matrix, rows(2, start=7))
    later.close()
    older.close()


def test_a_read_since_sees_vectors_a_writer_without_stamps_moved(store: SqliteStore) -> None:
    """A process of an older papershelf, opened before the library was migrated, writes no
    stamps: a paper it stores again moves its vectors to new keys, as many as before."""
    store.put(make_document("doc:1", ["one", "two"]))
    store.put(make_document("doc:2", ["three"]))
    store.set_vectors(SPACE, [p.key for p in store.passages_missing_vectors(SPACE)], rows(3))
    known = store.vectors(SPACE)
    assert known is not None
    store.put(make_document("doc:1", ["one", "two"]))  # its vectors kept on new keys
    with store._writing() as conn:
        conn.execute("UPDATE passages SET vector_stamp = NULL")
    since = store.vectors(SPACE, since=known)
    whole = store.vectors(SPACE)
    assert since is not None and whole is not None
    assert since.keys.tolist() == whole.keys.tolist() != known.keys.tolist()


def test_the_keys_of_an_embedder_come_from_its_index_alone(store: SqliteStore) -> None:
    plan = store._connection().execute(
        "EXPLAIN QUERY PLAN " + sqlite_vectors.KEYS_OF_EMBEDDER, (SPACE,)
    )
    assert any("COVERING INDEX passages_embedder" in row[3] for row in plan.fetchall())


def test_a_reader_on_another_connection_follows_a_writers_changes(tmp_path: Path) -> None:
    """As a server follows `papershelf add` and `rm` run in another process."""
    path = tmp_path / "shared.db"
    writer, reader = SqliteStore(path), SqliteStore(path)
    writer.put(make_document("doc:1", ["alpha beta", "alpha beta"]))
    writer.set_vectors(SPACE, [p.key for p in writer.passages_missing_vectors(SPACE)], rows(2))
    writer.set_term_vectors(SPACE, writer.terms_missing_vectors(SPACE), rows(2))
    vectors, words = reader.vectors(SPACE), reader.term_vectors(SPACE)
    for step in range(3):
        paper = f"doc:{step + 2}"
        writer.put(make_document(paper, [f"gamma{step} alpha", f"gamma{step}"]))
        pending = [p.key for p in writer.passages_missing_vectors(SPACE)]
        writer.set_vectors(SPACE, pending, rows(len(pending), start=step + 3))
        missing = writer.terms_missing_vectors(SPACE)
        writer.set_term_vectors(SPACE, missing, rows(len(missing), start=step + 3))
        if step == 1:
            writer.remove("doc:1")
        assert vectors is not None and words is not None
        vectors = reader.vectors(SPACE, unless_version=vectors.version, since=vectors)
        words = reader.term_vectors(SPACE, unless_version=words.version, since=words)
        whole, whole_words = writer.vectors(SPACE), writer.term_vectors(SPACE)
        assert vectors is not None and words is not None
        assert whole is not None and whole_words is not None
        assert vectors.keys.tolist() == whole.keys.tolist()
        np.testing.assert_array_equal(vectors.matrix, whole.matrix)
        assert words.terms == whole_words.terms
        np.testing.assert_array_equal(words.matrix, whole_words.matrix)
    writer.close()
    reader.close()
