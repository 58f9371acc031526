"""The MongoDB store reads passage vectors again after a write only for the papers whose marks
(generation, vector writes) moved, and reads everything when it cannot trust them: another
library under the same name, a database put back, a change an older papershelf made."""

import numpy as np
import pytest
from pymongo import MongoClient, monitoring
from pymongo.errors import AutoReconnect

from papershelf.core.errors import StoreError
from papershelf.storage import mongo, mongo_vector_reads
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


# Two reads at one version can see different marks: a writer moved them between the version and
# the marks. The marks belong to the set each read returned.

OTHER = "other-model#text1"


@pytest.fixture
def standalone(mongo_standalone_server: object, mongo_db_name: str):
    uri = mongo_standalone_server.uri  # type: ignore[attr-defined]
    reader = MongoStore(uri, mongo_db_name, "ai_essay")
    writer = MongoStore(uri, mongo_db_name, "ai_essay")
    assert not writer.transactions
    yield reader, writer
    reader.close()
    writer.close()


def test_a_read_between_a_writer_s_count_and_its_version_leaves_other_sets_alone(
    standalone, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, writer = standalone
    library_of_two(writer)
    first = reader.vectors(SPACE)
    assert first is not None
    real_bump = mongo.bump_version
    between: dict[str, VectorSet | None] = {}

    def bump_later(meta, session=None):  # the vector is written and counted, the version not
        between["other"] = reader.vectors(OTHER)  # another embedder's read at that version
        real_bump(meta, session)

    monkeypatch.setattr(mongo, "bump_version", bump_later)
    writer.set_vectors(SPACE, [int(first.keys[0])], rows(1, start=70))
    monkeypatch.undo()
    assert between["other"] is not None and between["other"].version == first.version
    found = reader.vectors(SPACE, unless_version=first.version, since=first)
    np.testing.assert_array_equal(found.matrix[0], rows(1, start=70)[0])  # type: ignore[union-attr]
    assert_a_whole_read(found, reader)


def test_a_commit_between_a_read_s_version_and_its_marks_leaves_other_sets_alone(
    mongo_uri: str, mongo_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    writer = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    try:
        assert writer.transactions
        library_of_two(writer)
        first = reader.vectors(SPACE)
        assert first is not None
        real_marks = mongo_vector_reads.paper_marks

        def marks_after_a_commit(c):
            monkeypatch.setattr(mongo_vector_reads, "paper_marks", real_marks)
            writer.set_vectors(SPACE, [int(first.keys[0])], rows(1, start=70))
            return real_marks(c)

        monkeypatch.setattr(mongo_vector_reads, "paper_marks", marks_after_a_commit)
        other = reader.vectors(OTHER)
        assert other is not None and other.version == first.version
        found = reader.vectors(SPACE, unless_version=first.version, since=first)
        assert_a_whole_read(found, reader)
    finally:
        reader.close()
        writer.close()


def test_vectors_written_when_counting_them_failed_are_read(
    standalone, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a transaction the vectors stay written: readers are told to read everything once.
    reader, writer = standalone
    library_of_two(writer)
    earlier = reader.vectors(SPACE)
    assert earlier is not None

    def lost(*args, **kwargs):
        raise AutoReconnect("connection lost")

    monkeypatch.setattr(mongo, "count_vector_writes", lost)
    with pytest.raises(StoreError):
        writer.set_vectors(SPACE, [int(earlier.keys[0])], rows(1, start=70))
    monkeypatch.undo()
    found = reader.vectors(SPACE, unless_version=earlier.version, since=earlier)
    assert found is not None
    np.testing.assert_array_equal(found.matrix[0], rows(1, start=70)[0])
    assert_a_whole_read(found, reader)


def test_a_reindex_makes_every_reader_read_its_vectors_whole(
    mongo_store: MongoStore, mongo_uri: str, mongo_db_name: str
) -> None:
    # The repair when a reader may hold rows its marks do not show (a cross-shard commit seen in
    # part): a vector changed behind the marks, under a counted version move.
    earlier = library_of_two(mongo_store)
    db = MongoClient(mongo_uri)[mongo_db_name]
    new = vector_binary(rows(1, start=88)[0])
    db["ai_essay.passages"].update_one({"_id": int(earlier.keys[0])}, {"$set": {"vector": new}})
    db["ai_essay.meta"].update_one({"_id": VERSION_ID}, {"$inc": {"value": 1, "counted": 1}})
    stale = mongo_store.vectors(SPACE, since=earlier)
    assert stale is not None and not np.array_equal(stale.matrix[0], rows(1, start=88)[0])
    mongo_store.reindex()
    found = mongo_store.vectors(SPACE, since=stale)
    assert found is not None
    np.testing.assert_array_equal(found.matrix[0], rows(1, start=88)[0])
    assert_a_whole_read(found, mongo_store)
