"""Rebuilding the MongoDB store's lexical index from the stored passages: every passage's tokens
and the lexicon counts."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from papershelf.storage.bm25_analysis import analyse_passages
from papershelf.storage.mongo_docs import MANAGED
from papershelf.storage.mongo_layout import Collections
from papershelf.storage.mongo_vectors import lexicon_counts
from papershelf.storage.shared import folded_author_names

LEASE_ID = "reindex_lease"
_SEARCH_TEXT = "search_text"  # the text-index field of earlier versions
# A rebuild longer than this lets another process start one too (a crashed holder never frees it).
LEASE_S = 3600
# A generation younger than this may belong to a put still under way: never treated as a leftover.
_IN_FLIGHT = timedelta(minutes=5)


@contextmanager
def rebuild_lease(meta: Collection) -> Iterator[bool]:
    """Whether this process may rebuild: only one at a time, through a document in meta."""
    holder, now = ObjectId(), datetime.now(UTC)
    try:
        meta.update_one(
            {"_id": LEASE_ID, "until": {"$lt": now}},
            {"$set": {"holder": holder, "until": now + timedelta(seconds=LEASE_S)}},
            upsert=True,
        )
    except DuplicateKeyError:  # held, and not expired
        yield False
        return
    try:
        yield True
    finally:
        meta.delete_one({"_id": LEASE_ID, "holder": holder})


def rebuild_index(c: Collections) -> None:
    """Re-analyse the current passages of every paper, drop passages of generations that never
    became current (older than any put under way), and replace the lexicon counts with exact
    ones. Counts a put changes while this runs may be overwritten: run it again once writes stop."""
    words: Counter[str] = Counter()
    settled = ObjectId.from_datetime(datetime.now(UTC) - _IN_FLIGHT)
    fields_read = {
        "papershelf.id": 1,
        "papershelf.paper.title": 1,
        "papershelf.paper.authors": 1,
        "papershelf.generation": 1,
    }
    for paper in c.papers.find(MANAGED, fields_read):
        shelf = paper["papershelf"]
        paper_id, generation = shelf["id"], shelf["generation"]
        # Only the generation read here: a put meanwhile wrote its own names, folded already.
        c.papers.update_one(
            {"_id": paper["_id"], "papershelf.generation": generation},
            {"$set": {"papershelf.authors_folded": folded_author_names(shelf["paper"]["authors"])}},
        )
        # passages of a generation that never became current (a standalone write cut short)
        c.passages.delete_many(
            {"paper_id": paper_id, "generation": {"$ne": generation, "$lt": settled}}
        )
        docs = list(
            c.passages.find(
                {"paper_id": paper_id, "generation": generation}, {"section": 1, "text": 1}
            )
        )
        analysed = analyse_passages(
            shelf["paper"]["title"], ((doc["section"], doc["text"]) for doc in docs)
        )
        updates = [
            UpdateOne(
                {"_id": doc["_id"]},
                {
                    "$set": {
                        "terms": found.terms,
                        "weights": found.weights,
                        "length": found.length,
                    },
                    "$unset": {_SEARCH_TEXT: ""},
                },
            )
            for doc, found in zip(docs, analysed, strict=True)
        ]
        words.update(lexicon_counts(doc["text"] for doc in docs))
        if updates:
            c.passages.bulk_write(updates, ordered=False)
    c.words.replace_all(words)
    _drop_leftovers(c)


def _drop_leftovers(c: Collections) -> None:
    """What papershelf kept before its lexical search moved into memory (mongo_postings.py): token
    counts, BM25 totals, a text index with its field and an index on the tokens. Nothing reads
    them any more."""
    c.counts.delete_many({"_id": {"$regex": "^token:"}})
    c.meta.delete_one({"_id": "stats"})
    indexes = c.passages.index_information()
    for name in ("papershelf_text", "terms_1"):
        if name in indexes:
            c.passages.drop_index(name)
