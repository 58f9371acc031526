"""Rebuilding the MongoDB store's lexical index: one process at a time, safe for puts under way,
and complete (leftovers of earlier versions dropped too)."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from papershelf.core.errors import StoreError
from papershelf.core.models import PaperFilter
from papershelf.storage import mongo_reindex
from papershelf.storage.bm25_analysis import mongo_analyzer_fingerprint
from papershelf.storage.mongo import MongoStore
from tests.storage.contract import found_texts, make_document


def test_the_analyser_fingerprint_comes_from_its_output_not_the_sqlite_build() -> None:
    fingerprint = mongo_analyzer_fingerprint()
    assert sqlite3.sqlite_version not in fingerprint and "sqlite" not in fingerprint
    assert fingerprint.startswith("textindex-") and "/probe-" in fingerprint


def test_a_rebuild_another_process_holds_is_not_started_twice(mongo_store: MongoStore) -> None:
    store = mongo_store
    store.put(make_document("doc:1", ["pixel shuffle"]))
    store.c.passages.update_many({}, {"$set": {"terms": [], "weights": [], "length": 0}})
    store.c.meta.update_one({"_id": "analyzer"}, {"$set": {"value": "an older analyser"}})
    until = datetime.now(UTC) + timedelta(minutes=10)
    store.c.meta.insert_one({"_id": "reindex_lease", "holder": ObjectId(), "until": until})
    reopened = MongoStore(store.uri, store.c.papers.database.name, "ai_essay")
    try:
        # the holder rebuilds; opening neither waits nor rebuilds alongside it
        assert store.c.meta.find_one({"_id": "analyzer"})["value"] == "an older analyser"
        with pytest.raises(StoreError, match="another papershelf process is rebuilding"):
            reopened.reindex()
        store.c.meta.delete_one({"_id": "reindex_lease"})
        reopened.reindex()
        assert found_texts(reopened, "shuffle") == ["pixel shuffle"]
        assert reopened.c.meta.find_one({"_id": "reindex_lease"}) is None
    finally:
        reopened.close()


def test_a_rebuild_keeps_passages_a_put_under_way_wrote(mongo_store: MongoStore) -> None:
    store = mongo_store
    store.put(make_document("doc:1", ["current"]))
    young, old = ObjectId(), ObjectId.from_datetime(datetime.now(UTC) - timedelta(hours=1))
    for key, generation in ((-1, young), (-2, old)):
        store.c.passages.insert_one(
            {"_id": key, "paper_id": "doc:1", "generation": generation, "text": "t", "section": "s"}
        )
    store.reindex()
    assert store.c.passages.find_one({"_id": -1}) is not None  # may be a put about to switch
    assert store.c.passages.find_one({"_id": -2}) is None  # a write cut short long ago
    assert [p.text for p in store.get_document("doc:1").passages] == ["current"]


def test_a_rebuild_drops_what_earlier_versions_kept_for_lexical_search(
    mongo_store: MongoStore,
) -> None:
    store = mongo_store
    store.put(make_document("doc:1", ["pixel shuffle"]))
    # token counts, BM25 totals and a text-index field, as versions before the in-memory index
    store.c.passages.update_many({}, {"$set": {"search_text": "pixel shuffl"}})
    store.c.counts.insert_one({"_id": "token:7", "n": {"pixel": 1}})
    store.c.meta.insert_one({"_id": "stats", "passages": 1, "tokens": 2})
    store.c.passages.create_index("terms")

    store.reindex()

    assert store.c.passages.count_documents({"search_text": {"$exists": True}}) == 0
    assert store.c.counts.find_one({"_id": "token:7"}) is None
    assert store.c.meta.find_one({"_id": "stats"}) is None
    assert "terms_1" not in store.c.passages.index_information()
    assert store.c.words.get(["pixel"]) == {"pixel": 1}
    assert [p.text for p, _ in store.search_lexical(["shuffle"])] == ["pixel shuffle"]


def test_a_rebuild_never_refolds_names_over_a_newer_put(
    mongo_store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = mongo_store
    store.put(make_document("doc:1", ["one"], title="First", authors=["Old Name"]))
    store.put(make_document("doc:2", ["two"], title="Second", authors=["Old Name"]))
    analyse = mongo_reindex.analyse_passages
    replaced: list[str] = []

    def put_meanwhile(title: str, passages):  # the other paper is re-added mid-rebuild
        if not replaced:
            other = "doc:2" if title == "First" else "doc:1"
            store.put(make_document(other, ["new"], title="Again", authors=["New Author"]))
            replaced.append(other)
        return analyse(title, passages)

    monkeypatch.setattr(mongo_reindex, "analyse_passages", put_meanwhile)
    store.reindex()
    assert [p.id for p in store.list(PaperFilter(author="new author"))] == replaced
