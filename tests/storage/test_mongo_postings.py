"""The MongoDB store's in-memory lexical index follows every change, its own or another
process's, and ranks as an index read afresh (as the SQLite store) does."""

import pytest
from pymongo import MongoClient

from papershelf.storage.mongo import MongoStore
from papershelf.storage.mongo_vectors import KEYS_ID
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import make_document
from tests.storage.test_mongo_layout import _QUERIES, _corpus, _ranking

FILTERS = [{}, {"collection": "odd"}, {"year_from": 2022}]


@pytest.fixture
def two_processes(mongo_uri: str, mongo_db_name: str):
    """Two stores on one database: `reader` searches, `writer` changes it behind its back."""
    reader = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    writer = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    yield reader, writer
    reader.close()
    writer.close()


def held_base(store: MongoStore):
    return store._lexical.postings._held.index.base


def assert_ranks_as_sqlite(mongo: MongoStore, documents, tmp_path) -> None:
    sqlite = SqliteStore(tmp_path / "fresh.db")
    try:
        for document in documents:
            sqlite.put(document)
        for query in _QUERIES:
            for filters in FILTERS:
                expected = _ranking(sqlite, query, **filters)
                assert _ranking(mongo, query, **filters) == expected, (query, filters)
    finally:
        sqlite.close()


def test_papers_added_replaced_and_removed_elsewhere_rank_as_a_fresh_index(
    two_processes, tmp_path
) -> None:
    reader, writer = two_processes
    documents = _corpus()
    for document in documents[:8]:
        writer.put(document)
    assert _ranking(reader, "pixel shuffle")
    base = held_base(reader)

    replaced = make_document(
        documents[0].paper.id, ["pixel pixel shuffle 81.6 qwen2.5 模型"], title="replaced"
    )
    for document in documents[8:]:
        writer.put(document)
    writer.put(replaced)
    writer.remove(documents[1].paper.id)

    final = [replaced, *documents[2:]]
    assert_ranks_as_sqlite(reader, final, tmp_path)
    assert held_base(reader) is base  # the changed papers were read alone


def test_a_put_whose_keys_are_below_the_held_ones_reads_the_library_again(
    two_processes, mongo_uri: str, mongo_db_name: str, tmp_path
) -> None:
    reader, writer = two_processes
    documents = _corpus()
    early = make_document("doc:000000000099", ["gone"] * 12, title="early")
    writer.put(early)
    for document in documents[:6]:
        writer.put(document)
    writer.remove(early.paper.id)
    assert _ranking(reader, "pixel shuffle")
    base = held_base(reader)
    # A put that took keys before the others and finished after them: keys 1, 2, ... again.
    client = MongoClient(mongo_uri)
    client[mongo_db_name]["ai_essay.meta"].update_one({"_id": KEYS_ID}, {"$set": {"value": 0}})
    client.close()
    late = make_document("doc:000000000098", ["pixel shuffle late"], title="late")
    writer.put(late)

    assert_ranks_as_sqlite(reader, [*documents[:6], late], tmp_path)
    assert held_base(reader) is not base


def test_an_analyser_run_elsewhere_reads_every_token_again(
    two_processes, mongo_uri: str, mongo_db_name: str
) -> None:
    reader, writer = two_processes
    writer.put(make_document("doc:000000000001", ["pixel shuffle"]))
    client = MongoClient(mongo_uri)
    client[mongo_db_name]["ai_essay.passages"].update_one(
        {"paper_id": "doc:000000000001"},
        {"$push": {"terms": "qqq", "weights": 1.0}},
    )
    client.close()
    assert _ranking(reader, "qqq")  # tokens the rebuild will not make again

    writer.reindex()

    assert _ranking(reader, "qqq") == []
    assert _ranking(reader, "pixel")
