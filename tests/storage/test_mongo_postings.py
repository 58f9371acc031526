"""The MongoDB store's in-memory lexical index follows every change, its own or another
process's, and ranks as an index read afresh (as the SQLite store) does."""

import pytest
from pymongo import MongoClient, monitoring

from papershelf.core.errors import StoreError
from papershelf.storage import mongo
from papershelf.storage.mongo import MongoStore
from papershelf.storage.mongo_docs import SCHEMA_VERSION
from papershelf.storage.mongo_vectors import KEYS_ID, LIBRARY_FIELD, VERSION_ID
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import make_document
from tests.storage.test_mongo_layout import _QUERIES, _Commands, _corpus, _ranking

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


def test_a_library_dropped_and_made_again_is_read_anew(
    two_processes, mongo_uri: str, mongo_db_name: str
) -> None:
    reader, writer = two_processes
    writer.put(make_document("doc:000000000001", ["zebra stripes"]))
    assert _ranking(reader, "zebra")
    held_vectors = reader.vectors("e")
    assert held_vectors is not None
    client = MongoClient(mongo_uri)
    client.drop_database(mongo_db_name)
    client.close()
    # Made again under the same name: keys, versions and analyser runs start over.
    again = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    try:
        again.put(make_document("doc:000000000002", ["giraffe necks"]))
        assert _ranking(reader, "zebra") == []
        assert [(paper, ordinal) for paper, ordinal, _ in _ranking(reader, "giraffe")] == [
            ("doc:000000000002", 0)
        ]
        # the dense side's cache is keyed by the same version
        assert reader.vectors("e", unless_version=held_vectors.version) is not None
    finally:
        again.close()


def test_a_library_marks_itself_for_this_papershelf_and_older_ones_refuse_it(
    mongo_store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Older versions read token counts and BM25 totals this one no longer keeps.
    mongo_store.c.meta.update_one({"_id": "schema"}, {"$set": {"value": 1}})
    reopened = MongoStore(mongo_store.uri, mongo_store.c.papers.database.name, "ai_essay")
    reopened.close()
    assert mongo_store.c.meta.find_one({"_id": "schema"})["value"] == SCHEMA_VERSION > 1
    monkeypatch.setattr(mongo, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError, match="newer papershelf"):
        MongoStore(mongo_store.uri, mongo_store.c.papers.database.name, "ai_essay")


def test_a_library_from_before_versions_carried_its_id_gets_one(mongo_store: MongoStore) -> None:
    meta = mongo_store.c.meta
    meta.update_one({"_id": VERSION_ID}, {"$unset": {LIBRARY_FIELD: ""}})
    reopened = MongoStore(mongo_store.uri, mongo_store.c.papers.database.name, "ai_essay")
    reopened.close()
    given = meta.find_one({"_id": VERSION_ID})[LIBRARY_FIELD]
    again = MongoStore(mongo_store.uri, mongo_store.c.papers.database.name, "ai_essay")
    again.close()
    assert meta.find_one({"_id": VERSION_ID})[LIBRARY_FIELD] == given  # kept once given


def test_after_a_write_a_phrase_reads_only_the_passages_new_to_it(
    mongo_uri: str, mongo_db_name: str, tmp_path
) -> None:
    commands = _Commands()
    monitoring.register(commands)  # global: only clients made from here on report to it
    reader = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    writer = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    sqlite = SqliteStore(tmp_path / "same.db")
    first = make_document("doc:000000000001", ["carbon-free power", "free carbon credits"])
    later = make_document("doc:000000000002", ["a carbon-free grid", "carbon tax"])

    def phrase_ranking(store):
        return [
            (p.paper_id, p.ordinal, score) for p, score in store.search_lexical(["carbon-free"])
        ]

    try:
        for document in (first, later):
            sqlite.put(document)
        writer.put(first)
        assert phrase_ranking(reader)
        writer.put(later)
        commands.recording = True
        found = phrase_ranking(reader)
        commands.recording = False
        assert found == phrase_ranking(sqlite)
    finally:
        reader.close()
        writer.close()
        sqlite.close()
    assert {(paper, ordinal) for paper, ordinal, _ in found} == {
        ("doc:000000000001", 0),
        ("doc:000000000002", 0),
    }
    texts_read = [
        command["filter"]["_id"]["$in"]
        for command in commands.sent
        if command.get("find") == "ai_essay.passages" and "text" in command.get("projection", {})
    ]
    # Of the new paper, only "a carbon-free grid" holds both tokens: it alone is read for the
    # phrase (the two winners' texts are read after it).
    assert [len(keys) for keys in texts_read] == [1, 2]


def test_titles_read_once_are_served_until_the_library_changes_elsewhere(
    mongo_uri: str, mongo_db_name: str
) -> None:
    commands = _Commands()
    monitoring.register(commands)  # global: only clients made from here on report to it
    reader = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    writer = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    asked = ["doc:000000000001", "doc:000000000002"]
    try:
        writer.put(make_document(asked[0], title="Zebra Stripes"))
        assert reader.titles(asked) == {asked[0]: "Zebra Stripes"}
        commands.recording = True
        assert reader.titles(asked) == {asked[0]: "Zebra Stripes"}
        commands.recording = False
        papers_read = [c for c in commands.sent if c.get("find") == "ai_essay"]
        # a warm read asks for the version document alone
        assert len(commands.sent) == 1 and papers_read == []
        writer.put(make_document(asked[1], title="Giraffe Necks"))
        writer.put(make_document(asked[0], title="Zebra Stripes, Revised"))
        assert reader.titles(asked) == {
            asked[0]: "Zebra Stripes, Revised",
            asked[1]: "Giraffe Necks",
        }
        writer.remove(asked[1])
        assert reader.titles(asked) == {asked[0]: "Zebra Stripes, Revised"}
    finally:
        reader.close()
        writer.close()


def test_a_title_read_before_a_write_is_not_kept_under_the_version_after_it(
    two_processes,
) -> None:
    reader, writer = two_processes
    paper_id = "doc:000000000001"
    writer.put(make_document(paper_id, title="Old Title"))
    held = reader._titles
    papers = held.papers

    class WriteMeanwhile:
        """The reader's title read returns the old title; before it is kept, the paper is put
        again and another of the reader's threads reads the new one."""

        def find(self, *args, **kwargs):
            read = list(papers.find(*args, **kwargs))
            held.papers = papers
            writer.put(make_document(paper_id, title="New Title"))
            assert reader.titles([paper_id]) == {paper_id: "New Title"}
            return read

    held.papers = WriteMeanwhile()
    assert reader.titles([paper_id]) == {paper_id: "Old Title"}  # as it was when read
    assert reader.titles([paper_id]) == {paper_id: "New Title"}
