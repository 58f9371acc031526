"""The MongoDB store reads passage vectors again after a write only for the papers whose marks
(generation, vector writes) moved, and reads everything when it cannot trust them: another
library under the same name, a database put back, a change an older papershelf made."""

import numpy as np
import pytest
from pymongo import MongoClient, monitoring

from papershelf.storage.base import VectorSet
from papershelf.storage.mongo import MongoStore
from papershelf.storage.mongo_docs import vector_binary
from papershelf.storage.mongo_vectors import VERSION_ID
from tests.storage.contract import make_document
from tests.storage.test_mongo_layout import _Commands
from tests.storage.vector_contract import SPACE, assert_a_whole_read, rows


def vectorize(store: MongoStore, paper_id: str, start: float = 0.0) -> None:
    keys = [p.key for p in store.passages_missing_vectors(SPACE, paper_ids=[paper_id])]
    store.set_vectors(SPACE, keys, rows(len(keys), start=start))


def library_of_two(store: MongoStore) -> VectorSet:
    store.put(make_document("doc:1", ["one", "two"]))
    vectorize(store, "doc:1")
    store.put(make_document("doc:2", ["three"]))
    vectorize(store, "doc:2", start=5)
    earlier = store.vectors(SPACE)
    assert earlier is not None and len(earlier.keys) == 3
    return earlier


@pytest.fixture
def recorded(mongo_uri: str, mongo_db_name: str):
    """A store whose commands to the server are recorded while `commands.recording` is set."""
    commands = _Commands()
    monitoring.register(commands)  # global: only clients made from here on report to it
    store = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    yield store, commands
    commands.recording = False
    store.close()


def passage_finds(commands: _Commands) -> list[dict]:
    return [
        command["filter"] for command in commands.sent if command.get("find") == "ai_essay.passages"
    ]


def test_a_read_after_a_paper_is_added_reads_only_its_passages(recorded) -> None:
    store, commands = recorded
    earlier = library_of_two(store)
    store.put(make_document("doc:3", ["four", "five"]))
    vectorize(store, "doc:3", start=9)
    commands.recording = True
    found = store.vectors(SPACE, since=earlier)
    commands.recording = False
    assert [f["paper_id"] for f in passage_finds(commands)] == [{"$in": ["doc:3"]}]
    assert found is not None and found.carried == 3  # appended: only its rows are projected
    assert_a_whole_read(found, store)


def test_a_write_that_moves_no_paper_s_marks_reads_no_passage(recorded) -> None:
    store, commands = recorded
    earlier = library_of_two(store)
    store.set_term_vectors(SPACE, ["one"], rows(1))  # the version moves; no passage vector does
    commands.recording = True
    found = store.vectors(SPACE, since=earlier)
    commands.recording = False
    assert passage_finds(commands) == []
    assert found is not None and found.version != earlier.version
    assert_a_whole_read(found, store)


def test_vectors_another_process_writes_are_read(mongo_uri: str, mongo_db_name: str) -> None:
    reader = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    writer = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    try:
        earlier = library_of_two(reader)
        writer.put(make_document("doc:0", ["zero"]))
        vectorize(writer, "doc:0", start=3)
        writer.set_vectors(SPACE, [int(earlier.keys[2])], rows(1, start=40))
        writer.remove("doc:1")
        found = reader.vectors(SPACE, since=earlier)
        assert found is not None and found.paper_ids.tolist() == ["doc:2", "doc:0"]
        assert_a_whole_read(found, reader)
    finally:
        reader.close()
        writer.close()


def test_a_change_an_older_papershelf_made_makes_the_next_read_whole(
    mongo_store: MongoStore, mongo_uri: str, mongo_db_name: str
) -> None:
    earlier = library_of_two(mongo_store)
    # An older papershelf writes a vector and moves the version, counting nothing on the paper.
    db = MongoClient(mongo_uri)[mongo_db_name]
    key = int(earlier.keys[0])
    new = vector_binary(rows(1, start=77)[0])
    db["ai_essay.passages"].update_one({"_id": key}, {"$set": {"vector": new}})
    db["ai_essay.meta"].update_one({"_id": VERSION_ID}, {"$inc": {"value": 1}})
    found = mongo_store.vectors(SPACE, since=earlier)
    assert found is not None
    np.testing.assert_array_equal(found.matrix[0], rows(1, start=77)[0])
    assert_a_whole_read(found, mongo_store)


def test_another_library_under_the_same_name_is_read_whole(
    mongo_uri: str, mongo_db_name: str
) -> None:
    first = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    try:
        earlier = library_of_two(first)
        MongoClient(mongo_uri).drop_database(mongo_db_name)
        again = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
        try:
            again.put(make_document("doc:1", ["one", "two"]))
            vectorize(again, "doc:1", start=20)  # the same passage keys, other vectors
            again.put(make_document("doc:2", ["three"]))
            vectorize(again, "doc:2", start=30)
            again.set_term_vectors(SPACE, ["one"], rows(1))
        finally:
            again.close()
        found = first.vectors(SPACE, since=earlier)
        assert found is not None and found.keys.tolist() == earlier.keys.tolist()
        np.testing.assert_array_equal(found.matrix[0], rows(1, start=20)[0])
        assert_a_whole_read(found, first)
    finally:
        first.close()


def test_a_database_put_back_at_an_earlier_version_is_read_whole(
    mongo_store: MongoStore, mongo_uri: str, mongo_db_name: str
) -> None:
    library_of_two(mongo_store)
    mongo_store.set_term_vectors(SPACE, ["one"], rows(1))
    later = mongo_store.vectors(SPACE)
    assert later is not None
    # Put back from a backup taken one change ago, where the second passage held the first's
    # vector: the papers' marks are those the reader holds, the version is earlier.
    db = MongoClient(mongo_uri)[mongo_db_name]
    first = db["ai_essay.passages"].find_one({"_id": int(later.keys[0])})
    assert first is not None
    db["ai_essay.passages"].update_one(
        {"_id": int(later.keys[1])}, {"$set": {"vector": first["vector"]}}
    )
    db["ai_essay.meta"].update_one({"_id": VERSION_ID}, {"$inc": {"value": -1, "counted": -1}})
    found = mongo_store.vectors(SPACE, since=later)
    assert found is not None
    np.testing.assert_array_equal(found.matrix[1], found.matrix[0])
    assert_a_whole_read(found, mongo_store)


def test_a_vector_write_counts_on_its_papers_without_distinct(recorded) -> None:
    # A transaction refuses `distinct` on a sharded collection, and docs/scaling.md shards the
    # passages: the papers of the written passages are found with a plain query.
    store, commands = recorded
    store.put(make_document("doc:1", ["one", "two"]))
    commands.recording = True
    vectorize(store, "doc:1")
    commands.recording = False
    assert not [c for c in commands.sent if "distinct" in c]
    marks = store.c.papers.find_one({"papershelf.id": "doc:1"})
    assert marks is not None and marks["papershelf"]["vector_writes"] == 1
