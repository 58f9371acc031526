"""Writes to the MongoDB store are whole or absent: with transactions (replica set) and with the
compensating scheme (standalone server), under concurrency, failures and a server going away."""

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from papershelf.core.errors import StoreError
from papershelf.core.models import PaperFilter
from papershelf.core.settings import Settings
from papershelf.storage.factory import open_store
from papershelf.storage.mongo import MongoStore
from tests.storage.contract import found_texts, make_document
from tests.support.mongo_server import fail_next, start_server


@pytest.fixture(params=["replica-set", "standalone"])
def store(request, mongo_store: MongoStore, mongo_db_name: str) -> Iterator[MongoStore]:
    if request.param == "replica-set":
        yield mongo_store
        return
    server = request.getfixturevalue("mongo_standalone_server")
    opened = MongoStore(server.uri, mongo_db_name, "ai_essay")
    yield opened
    opened.close()


def assert_whole(store: MongoStore, paper_id: str, texts: list[str]) -> None:
    document = store.get_document(paper_id)
    assert document is not None
    assert [p.text for p in document.passages] == texts
    assert document.content == "\n".join(texts)


def test_a_standalone_server_is_written_without_transactions(store: MongoStore) -> None:
    # SecantusDB would accept transactions even standalone; a standalone mongod refuses them, so
    # the store goes by the topology
    assert store.transactions is (
        store.c.papers.database.client.admin.command("hello").get("setName") is not None
    )


def test_replacing_an_arxiv_version_swaps_every_passage(store: MongoStore) -> None:
    store.put(
        make_document("arxiv:2504.05299", ["v1 zebra", "v1 more"], arxiv_id="2504.05299", version=1)
    )
    store.put(make_document("arxiv:2504.05299", ["v2 giraffe"], arxiv_id="2504.05299", version=2))
    assert_whole(store, "arxiv:2504.05299", ["v2 giraffe"])
    assert store.get("arxiv:2504.05299").version == 2
    assert found_texts(store, "zebra") == []
    assert store.c.passages.count_documents({}) == 1


def test_an_arxiv_id_under_another_paper_id_is_refused(store: MongoStore) -> None:
    store.put(make_document("arxiv:2504.05299", ["one"], arxiv_id="2504.05299"))
    with pytest.raises(StoreError, match=r"2504\.05299 is stored under another paper id"):
        store.put(make_document("doc:1", ["two"], arxiv_id="2504.05299"))
    assert store.count() == 1
    assert store.c.passages.count_documents({"paper_id": "doc:1"}) == 0


def test_a_write_failing_half_way_leaves_the_old_paper_whole(store: MongoStore) -> None:
    store.put(make_document("doc:1", ["old zebra", "old lion"]))
    uri = store.uri
    # the paper switch on a standalone server; inside the transaction on a replica set
    fail_next(uri, "update")
    with pytest.raises(StoreError, match="failed"):
        store.put(make_document("doc:1", ["new giraffe"]))
    assert_whole(store, "doc:1", ["old zebra", "old lion"])
    assert found_texts(store, "giraffe") == []
    assert found_texts(store, "zebra") == ["old zebra"]
    store.put(make_document("doc:1", ["new giraffe"]))
    assert_whole(store, "doc:1", ["new giraffe"])
    assert store.c.passages.count_documents({}) == 1  # nothing left of the failed write


def test_a_failure_after_the_switch_shows_one_paper_whole(store: MongoStore) -> None:
    store.put(make_document("doc:1", ["old zebra", "old lion"]))
    searcher = MongoStore(store.uri, store.c.papers.database.name, "ai_essay")  # a serve process
    assert searcher.search_lexical(["zebra"])  # holds the index of the old paper
    fail_next(store.uri, "delete")  # removing the old passages, after the paper switched
    with pytest.raises(StoreError):
        store.put(make_document("doc:1", ["new giraffe"]))
    # a transaction rolls everything back; without one the new paper is already current, and
    # the version moved with the switch, so indexes held elsewhere see it too
    texts = ["old zebra", "old lion"] if store.transactions else ["new giraffe"]
    document = store.get_document("doc:1")
    assert [p.text for p in document.passages] == texts
    for reader in (store, searcher):
        assert {p.text for p, _ in reader.search_lexical(["zebra", "lion", "giraffe"])} == set(
            texts
        )
    searcher.close()
    store.reindex()  # repairs what a compensating write could not finish
    # passages of the superseded generation stay until the paper's next write (too young for the
    # rebuild to tell from a put under way) but are never read
    current = store.c.papers.find_one({"papershelf.id": "doc:1"})["papershelf"]["generation"]
    assert store.c.passages.count_documents({"generation": current}) == len(texts)
    assert store.c.words.get(["zebra", "giraffe"]) == {
        "zebra": int("old zebra" in texts),
        "giraffe": int("new giraffe" in texts),
    }


def test_vectors_are_stored_and_read_on_either_kind_of_server(store: MongoStore) -> None:
    store.put(make_document("doc:1", ["one", "two"]))
    keys = [p.key for p in store.passages_missing_vectors("m")]
    assert store.set_vectors("m", keys, np.eye(2, dtype=np.float32)) == 2
    loaded = store.vectors("m")
    assert loaded.keys.tolist() == keys
    np.testing.assert_array_equal(loaded.matrix, np.eye(2, dtype=np.float32))
    assert store.count_missing_vectors("m") == 0


def test_a_paper_over_the_document_limit_is_refused_whole(store: MongoStore) -> None:
    huge = make_document("doc:1", ["a huge paper"], content="x" * (17 * 2**20))
    with pytest.raises(StoreError, match="MongoDB cannot hold this paper"):
        store.put(huge)
    assert store.get("doc:1") is None
    assert found_texts(store, "huge") == []


def test_concurrent_writers_never_duplicate_or_mix_papers(store: MongoStore) -> None:
    errors: list[Exception] = []
    client_uri, db_name = store.uri, store.c.papers.database.name

    def writer(number: int) -> None:
        own = MongoStore(client_uri, db_name, "ai_essay")
        try:
            for round_ in range(4):
                texts = [f"writer {number} round {round_} part {i}" for i in range(3)]
                own.put(make_document("doc:shared", texts))
                own.put(make_document(f"doc:own{number}", texts[:1]))
        except Exception as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.count() == 4
    assert store.c.papers.count_documents({"papershelf.id": "doc:shared"}) == 1
    shared = store.get_document("doc:shared")
    writers = {p.text.split(" part ")[0] for p in shared.passages}
    assert len(writers) == 1 and len(shared.passages) == 3  # one writer's paper, whole
    live = sum(len(store.get_document(p.id).passages) for p in store.list())
    assert store.c.passages.count_documents({}) == live == 6


def test_another_process_changing_passages_moves_the_version(mongo_store: MongoStore) -> None:
    store = mongo_store
    other = MongoStore(store.uri, store.c.papers.database.name, "ai_essay")
    try:
        before = store.vectors("m")
        other.put(make_document("doc:1", ["one"]))
        assert store.vectors("m", unless_version=before.version) is not None
    finally:
        other.close()


def test_an_analyser_change_rebuilds_the_index_when_the_store_opens(
    mongo_store: MongoStore, caplog: pytest.LogCaptureFixture
) -> None:
    store = mongo_store
    store.put(make_document("doc:1", ["pixel shuffle", "pixel"]))
    opened = [*caplog.get_records("setup"), *caplog.get_records("call")]
    assert not any("rebuilding" in r.getMessage() for r in opened)  # a new library: nothing to do
    store.c.passages.update_many({}, {"$set": {"terms": [], "weights": [], "length": 0}})
    store.c.meta.update_one({"_id": "analyzer"}, {"$set": {"value": "an older analyser"}})
    reopened = MongoStore(store.uri, store.c.papers.database.name, "ai_essay")
    assert "built by another text analyser: rebuilding it" in caplog.text
    try:
        assert found_texts(reopened, "shuffle") == ["pixel shuffle"]
        passages = reopened.c.passages.find({"paper_id": "doc:1"}, {"terms": 1})
        assert all("pixel" in passage["terms"] for passage in passages)
    finally:
        reopened.close()


def test_an_analyser_change_refolds_the_author_names(mongo_store: MongoStore) -> None:
    store = mongo_store
    store.put(make_document("doc:1", authors=["張曉明"]))
    # as an analyser that only folded case left it
    store.c.papers.update_many({}, {"$set": {"papershelf.authors_folded": "張曉明"}})
    store.c.meta.update_one({"_id": "analyzer"}, {"$set": {"value": "an older analyser"}})
    reopened = MongoStore(store.uri, store.c.papers.database.name, "ai_essay")
    try:
        assert [p.id for p in reopened.list(PaperFilter(author="张晓明"))] == ["doc:1"]
    finally:
        reopened.close()


# Connection strings and servers that go away


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            "mongodb://user:secret@localhost:notaport/",
            r"cannot use the MongoDB URI mongodb://user:\*\*\*@localhost:notaport/",
        ),
        (
            "mongodb://user:secret@no-such-host.invalid/?serverSelectionTimeoutMS=300",
            r"cannot reach MongoDB at mongodb://user:\*\*\*@no-such-host.invalid/.*start the server",
        ),
        (
            "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300",
            r"cannot reach MongoDB at mongodb://127.0.0.1:1/",
        ),
    ],
)
def test_a_bad_connection_string_is_a_clear_error(uri: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as raised:
        MongoStore(uri, "papershelf_never", "ai_essay")
    assert "secret" not in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_store_setting_opens_a_mongo_store(mongo_uri: str, monkeypatch) -> None:
    monkeypatch.setenv("PAPERSHELF_STORE", mongo_uri)
    monkeypatch.setenv("DB_NAME", "papershelf_from_settings")
    store = open_store(Settings())
    try:
        assert isinstance(store, MongoStore)
        assert store.c.papers.full_name == "papershelf_from_settings.ai_essay"
    finally:
        store.close()


def test_without_pymongo_the_error_names_the_extra(mongo_uri: str, monkeypatch) -> None:
    import sys

    for name in [m for m in sys.modules if m.startswith("papershelf.storage.mongo")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pymongo", None)
    monkeypatch.setenv("PAPERSHELF_STORE", mongo_uri)
    with pytest.raises(Exception, match=r"pip install 'papershelf\[mongo\]'"):
        open_store(Settings())


def test_a_server_stopped_mid_way_keeps_each_paper_old_or_new_and_whole(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    uri = server.uri + "?serverSelectionTimeoutMS=500"
    store = MongoStore(uri, "library", "ai_essay")
    for number in range(3):
        store.put(make_document(f"doc:{number}", [f"old {number} a", f"old {number} b"]))
    stopper = threading.Timer(0.15, server.stop)
    stopper.start()
    with pytest.raises(StoreError, match=r"MongoDB at mongodb://127.0.0.1:\d+/") as raised:
        for round_ in range(1000):
            for number in range(3):
                store.put(
                    make_document(
                        f"doc:{number}", [f"new {number} {round_} {i}" for i in range(number + 1)]
                    )
                )
    stopper.join()
    store.close()
    assert "Traceback" not in str(raised.value)
    restarted = start_server(tmp_path / "data")
    try:
        again = MongoStore(restarted.uri, "library", "ai_essay")
        for number in range(3):
            document = again.get_document(f"doc:{number}")
            texts = [p.text for p in document.passages]
            assert texts == [f"old {number} a", f"old {number} b"] or (
                len(texts) == number + 1 and len({t.rsplit(" ", 1)[0] for t in texts}) == 1
            )
            assert document.content == "\n".join(texts)
        again.close()
    finally:
        restarted.stop()
