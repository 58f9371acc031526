"""Writes without transactions (a standalone server) when another writer steps in between two
steps of a put or remove, and what a failed write leaves behind."""

from collections.abc import Callable, Iterator

import pytest
from bson import ObjectId
from pymongo import MongoClient, monitoring

from papershelf.core.errors import StoreError
from papershelf.storage.mongo import MongoStore
from papershelf.storage.mongo_layout import Collections
from papershelf.storage.mongo_writes import Writer
from tests.storage.contract import make_document


class _BeforePassageDelete(monitoring.CommandListener):
    """Runs `action` once, just before the writer's first delete of passages is sent."""

    def __init__(self) -> None:
        self.action: Callable[[], None] | None = None

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "delete" and event.command["delete"].endswith(".passages"):
            action, self.action = self.action, None
            if action is not None:
                action()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def store(mongo_standalone_server: object, mongo_db_name: str) -> Iterator[MongoStore]:
    opened = MongoStore(mongo_standalone_server.uri, mongo_db_name, "ai_essay")  # type: ignore[attr-defined]
    yield opened
    opened.close()


@pytest.fixture
def watched(store: MongoStore) -> Iterator[tuple[Writer, _BeforePassageDelete]]:
    """A second writer on its own client, whose passage deletes another writer can precede."""
    listener = _BeforePassageDelete()
    client: MongoClient = MongoClient(store.uri, event_listeners=[listener])
    collections = Collections.of(client[store.c.papers.database.name], "ai_essay")
    yield Writer(client, collections, False), listener
    client.close()


def assert_whole(store: MongoStore, paper_id: str, texts: list[str]) -> None:
    document = store.get_document(paper_id)
    assert document is not None
    assert [p.text for p in document.passages] == texts


def test_a_put_keeps_the_passages_of_a_put_that_switched_after_it(
    store: MongoStore, watched: tuple[Writer, _BeforePassageDelete]
) -> None:
    writer, listener = watched
    store.put(make_document("doc:1", ["first"]))
    # writer A switches to its generation; B then replaces the paper whole before A cleans up
    listener.action = lambda: store.put(make_document("doc:1", ["written by b"]))
    writer.put(make_document("doc:1", ["written by a"]))
    assert_whole(store, "doc:1", ["written by b"])
    assert store.c.passages.count_documents({}) == 1


def test_a_remove_keeps_the_passages_of_a_put_that_came_after_it(
    store: MongoStore, watched: tuple[Writer, _BeforePassageDelete]
) -> None:
    writer, listener = watched
    store.put(make_document("doc:1", ["first"]))
    # the paper document is gone; a put stores the paper anew before the remove deletes passages
    listener.action = lambda: store.put(make_document("doc:1", ["stored again"]))
    assert writer.remove("doc:1") is True
    assert_whole(store, "doc:1", ["stored again"])
    assert store.c.passages.count_documents({}) == 1


def test_a_paper_over_the_document_limit_leaves_no_passages(store: MongoStore) -> None:
    with pytest.raises(StoreError, match="MongoDB cannot hold this paper"):
        store.put(make_document("doc:1", ["a huge paper"], content="x" * (17 * 2**20)))
    assert store.c.passages.count_documents({}) == 0


def test_passages_of_a_crashed_write_do_not_hide_those_missing_vectors(
    store: MongoStore,
) -> None:
    store.put(make_document("doc:1", ["current"]))
    # what a write that crashed before its switch leaves: a generation that never became current
    crashed = ObjectId()
    store.c.passages.insert_many(
        [
            {
                "_id": -10 + i,
                "paper_id": "doc:1",
                "generation": crashed,
                "section": "s",
                "text": "t",
            }
            for i in range(5)
        ]
    )
    assert [p.text for p in store.passages_missing_vectors("m", limit=3)] == ["current"]
    assert store.count_missing_vectors("m") == 1
