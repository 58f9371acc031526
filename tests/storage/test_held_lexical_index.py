"""The lexical index a process holds for a SQLite library: always the one of the searching
snapshot, whatever other searches, writers, files and analysers did meanwhile."""

import os
import sqlite3

import numpy as np
import pytest

from papershelf.core.errors import StoreError
from papershelf.core.models import Document, Paper, Passage
from papershelf.storage import postings_index, sqlite_held_index, sqlite_search
from papershelf.storage.postings_index import PostingIndex, Segment
from papershelf.storage.sqlite import SqliteStore
from papershelf.storage.sqlite_fts import BM25, FTS_TABLE, match_expression
from papershelf.storage.sqlite_postings import ANALYZER_KEY, read_postings_state


def document(paper_id: str, text: str) -> Document:
    passage = Passage(paper_id=paper_id, ordinal=0, section="1 Text", text=text, char_end=len(text))
    paper = Paper(id=paper_id, source="text", title="T", content_sha256=paper_id)
    return Document(paper=paper, content=text, passages=[passage])


def fts5(conn: sqlite3.Connection, terms: list[str], limit: int) -> list[tuple[int, float]]:
    return [
        (int(rowid), float(rank))
        for rowid, rank in conn.execute(
            f"SELECT rowid, {BM25} AS r FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
            "ORDER BY r, rowid LIMIT ?",
            (match_expression(terms), limit),
        )
    ]


def texts(store: SqliteStore, terms: list[str]) -> list[tuple[str, float]]:
    return [(p.text, s) for p, s in store.search_lexical(terms, limit=10)]


def reopened_after(path, documents: list[Document], sql: str) -> SqliteStore:
    """A library of these documents, changed behind the store's back by `sql` while closed and
    opened again by a process that holds no index of it."""
    store = SqliteStore(path)
    for each in documents:
        store.put(each)
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    sqlite_held_index.forget_indexes()
    return SqliteStore(path)


@pytest.mark.parametrize("removed", [range(0, 40, 3), range(0, 4)])
def test_a_search_older_than_the_held_index_sees_its_own_snapshot(tmp_path, removed):
    """A search whose snapshot began before another search brought the held index further (here
    past removals that mask rows, or that read everything again) must not use the newer index."""
    path = tmp_path / "library.db"
    writer = SqliteStore(path)
    for n in range(40):
        words = f"giraffe pre-training number {n}" if n < 8 else f"unrelated number {n}"
        writer.put(document(f"doc:{n:02d}", words + " filler" * (n % 5)))
    older, newer = SqliteStore(path), SqliteStore(path)
    terms = ["giraffe", "pre-training"]
    assert older.search_lexical(terms, limit=5)  # holds the index, phrase postings and all
    conn = older._connection()
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM store_meta").fetchall()  # the snapshot starts here
    for n in removed:
        writer.remove(f"doc:{n:02d}")
    assert newer.search_lexical(terms, limit=5)  # brings the held index past the removals
    found = sqlite_search.ranked_ids(conn, terms, 5)
    assert found == fts5(conn, terms, 5)
    conn.execute("COMMIT")
    held = sqlite_held_index._held[str(path)]
    assert held.state == read_postings_state(newer._connection())  # the newer one stays held
    for store in (writer, older, newer):
        store.close()


def test_a_library_made_again_at_the_same_path_is_another_library(tmp_path):
    path = tmp_path / "library.db"
    first = SqliteStore(path)
    first.put(document("doc:a", "alpha giraffe"))
    assert texts(first, ["giraffe"])
    for suffix in ("", "-wal", "-shm"):  # deleted while the first store is still open
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    second = SqliteStore(path)
    second.put(document("doc:b", "beta zebra"))  # the same counters as the first library had
    assert texts(second, ["zebra"]) == [("beta zebra", pytest.approx(1e-6))]
    assert texts(second, ["giraffe"]) == []
    first.close()
    second.close()


def test_closing_the_store_lets_its_index_go(tmp_path):
    store = SqliteStore(tmp_path / "library.db")
    store.put(document("doc:a", "alpha giraffe"))
    assert texts(store, ["giraffe"])
    assert str(store.path) in sqlite_held_index._held
    store.close()
    assert str(store.path) not in sqlite_held_index._held


def test_rows_of_another_analyser_are_rebuilt_when_the_library_opens(tmp_path):
    path = tmp_path / "library.db"
    store = SqliteStore(path)
    store.put(document("doc:a", "alpha giraffe"))
    generation = read_postings_state(store._connection()).generation
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE store_meta SET value = 'an older analyser' WHERE key = ?", (ANALYZER_KEY,)
        )
    reopened = SqliteStore(path)
    assert read_postings_state(reopened._connection()).generation == generation + 1
    assert texts(reopened, ["giraffe"])
    reopened.close()


def test_passages_written_without_their_rows_get_them_when_the_library_opens(tmp_path):
    """A papershelf from before the rows existed, still running, adds papers without them."""
    reopened = reopened_after(
        tmp_path / "library.db",
        [document("doc:a", "alpha giraffe"), document("doc:b", "beta giraffe")],
        "DELETE FROM passage_tokens WHERE passage_id IN "
        "(SELECT id FROM passages WHERE paper_id = 'doc:b')",
    )
    assert [text for text, _ in texts(reopened, ["giraffe"])] == ["alpha giraffe", "beta giraffe"]
    reopened.close()


def test_a_library_whose_rows_are_all_missing_gets_them_when_it_opens(tmp_path):
    """No rows at all is 'covered up to key 0', not covered."""
    reopened = reopened_after(
        tmp_path / "library.db", [document("doc:a", "alpha giraffe")], "DELETE FROM passage_tokens"
    )
    assert [text for text, _ in texts(reopened, ["giraffe"])] == ["alpha giraffe"]
    reopened.close()


def test_a_damaged_row_is_a_store_error_that_says_how_to_repair(tmp_path):
    damaged = reopened_after(
        tmp_path / "library.db",
        [document("doc:a", "alpha giraffe")],
        "UPDATE passage_tokens SET token_ids = x'010203'",
    )
    with pytest.raises(StoreError, match="reindex --lexical"):
        damaged.search_lexical(["giraffe"])
    damaged.reindex()
    assert texts(damaged, ["giraffe"])
    damaged.close()


def test_phrase_postings_kept_with_an_index_are_bounded_by_rows(monkeypatch):
    monkeypatch.setattr(postings_index, "PHRASE_ROWS_KEPT", 10)
    segment = Segment.build(
        [1], [np.array([0], np.int32).tobytes()], [np.ones(1, np.float32).tobytes()], [1], 1
    )
    index = PostingIndex({"a": 0}, segment)
    six = (np.arange(6), np.ones(6))
    index.keep_phrase("first", six)
    index.keep_phrase("second", six)  # 12 rows: the least recently used goes
    assert index.kept_phrase("first") is None
    assert index.kept_phrase("second") is six


def test_postings_are_grouped_by_token_in_passage_order():
    rng = np.random.default_rng(7)
    ids = rng.integers(0, 200_000, 5_000).astype(np.int32)  # past 16 bits: both halves sorted
    assert (postings_index._stable_order(ids) == np.argsort(ids, kind="stable")).all()
