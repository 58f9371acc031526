"""Adopting the tutorial's records: odd `_id`s end in a clear reason, never a loop, and a passing
store failure leaves the record for the next open."""

import threading
from datetime import UTC, date, datetime

import pytest
from pymongo import MongoClient

from papershelf.core.errors import StoreError
from papershelf.library_adopt import adopt_tutorial_records
from papershelf.storage.mongo import MongoStore
from tests.support.mongo_server import fail_next

ESSAY = "Pixel shuffle reduces visual tokens. " * 20


def adopt_within(store: MongoStore, seconds: float = 60) -> list[str]:
    found: list[list[str]] = []
    worker = threading.Thread(
        target=lambda: found.append(adopt_tutorial_records(store, "ai_essay")), daemon=True
    )
    worker.start()
    worker.join(seconds)
    assert found, f"adoption did not finish within {seconds} s"
    return found[0]


@pytest.mark.parametrize("record_id", [5, "essay-5", "0123456789abcdef01234567"])
def test_a_record_whose_id_is_not_an_object_id_is_set_aside(
    mongo_store: MongoStore, record_id: object
) -> None:
    mongo_store.c.papers.insert_one({"_id": record_id, "title": "Odd id", "content": ESSAY})
    assert adopt_within(mongo_store) == []
    assert mongo_store.c.papers.count_documents({}) == 1  # no copy under a fresh ObjectId
    record = mongo_store.c.papers.find_one({"_id": record_id})
    assert "is not an ObjectId" in record["papershelf_skipped"]
    assert mongo_store.unindexed_records() == []


def test_a_passing_store_failure_leaves_the_record_for_the_next_open(
    mongo_store: MongoStore,
) -> None:
    with MongoClient(mongo_store.uri) as client:
        essays = client[mongo_store.c.papers.database.name]["ai_essay"]
        record_id = essays.insert_one({"title": "Pixel shuffle", "content": ESSAY}).inserted_id
    fail_next(mongo_store.uri, "update")  # the switch to the adopted paper
    with pytest.raises(StoreError):
        adopt_tutorial_records(mongo_store, "ai_essay")
    assert "papershelf_skipped" not in mongo_store.c.papers.find_one({"_id": record_id})
    adopted = adopt_within(mongo_store)
    assert len(adopted) == 1
    assert mongo_store.find(legacy_id=str(record_id)).id == adopted[0]
    assert mongo_store.c.papers.count_documents({}) == 1  # adopted in place


def test_a_re_put_adopted_record_keeps_its_bson_dates(mongo_store: MongoStore) -> None:
    published = datetime(2025, 4, 7, tzinfo=UTC)
    inserted = datetime(2025, 5, 1, 12, 30, 5, tzinfo=UTC)
    mongo_store.c.papers.insert_one(
        {"title": "Dated", "content": ESSAY, "publish_date": published, "insert_date": inserted}
    )
    [paper_id] = adopt_within(mongo_store)
    document = mongo_store.get_document(paper_id)
    mongo_store.put(document)  # e.g. a `migrate --merge` or an edit writing the paper again
    record = mongo_store.c.papers.find_one({"papershelf.id": paper_id})
    assert record["publish_date"] == published and record["insert_date"] == inserted
    document.paper.published = date(2025, 4, 8)
    mongo_store.put(document)  # a changed date is written in papershelf's own form
    assert (
        mongo_store.c.papers.find_one({"papershelf.id": paper_id})["publish_date"] == "2025-04-08"
    )
