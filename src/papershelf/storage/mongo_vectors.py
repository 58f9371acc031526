"""Passage vectors, the term lexicon and the counters of the MongoDB store.

Vectors are BSON binary vectors (float32) on the passage documents, tagged with the embedder id.
`meta` holds counters changed with `$inc`, so they are exact across processes: the store version
(readers reload vectors and the lexical index when it moves; it carries the library's random id,
so a library made again under the same name never reads as the old one) and the passage key
high-water mark (keys are never reused).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from papershelf.core.errors import StoreError
from papershelf.core.textindex import lexicon_terms
from papershelf.storage.base import PendingPassage, TermVectors, VectorSet
from papershelf.storage.mongo_docs import vector_binary, vector_bytes

VERSION_ID = "data_version"
LIBRARY_FIELD = "library"  # of the version document: a random id given when the library is made
KEYS_ID = "passage_key_high"


# Of the version document: the changes made by a papershelf that counts its vector writes on the
# papers (mongo_vector_reads). A change it did not make (an older papershelf's) shows as a
# difference from `value`, and readers then read everything.
COUNTED_FIELD = "counted"


def bump_version(
    meta: Collection, session: ClientSession | None = None, *, counted: bool = True
) -> None:
    """Move the store version. An uncounted move makes every reader read its vectors whole once
    (`uncounted_changes`): after a rebuild, or a vector write whose counting failed."""
    change = {"value": 1, COUNTED_FIELD: 1} if counted else {"value": 1}
    meta.update_one({"_id": VERSION_ID}, {"$inc": change}, upsert=True, session=session)


def uncounted_changes(found: dict[str, Any] | None) -> int:
    """Changes of the store a papershelf that counts vector writes did not make."""
    if found is None:
        return 0
    return int(found["value"]) - int(found.get(COUNTED_FIELD, 0))


def read_version(meta: Collection, session: ClientSession | None = None) -> str:
    return version_of(meta.find_one({"_id": VERSION_ID}, session=session))


def version_of(found: dict[str, Any] | None) -> str:
    """The store version from its meta document: the library's random id and the count of
    changes, so a library dropped and made again under the same name never reads as the old."""
    if found is None:
        return "0"
    return f"{found.get(LIBRARY_FIELD, '')}:{found['value']}"


def allocate_keys(meta: Collection, count: int) -> int:
    """The first of `count` fresh consecutive passage keys; outside any transaction, so concurrent
    writers never conflict here (a key lost to an aborted write is simply never used)."""
    for _ in range(3):
        found = meta.find_one_and_update(
            {"_id": KEYS_ID},
            {"$inc": {"value": count}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        # None when a concurrent first upsert won the race (SecantusDB); the counter exists now
        if found is not None:
            return int(found["value"]) - count + 1
    raise StoreError("cannot allocate passage keys: the counter document keeps disappearing")


def lexicon_counts(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(lexicon_terms(text))
    return counts


def missing_query(embedder_id: str, paper_ids: Sequence[str] | None) -> dict[str, Any]:
    query: dict[str, Any] = {"$or": [{"embedder": {"$ne": embedder_id}}, {"vector": None}]}
    if paper_ids is not None:
        query["paper_id"] = {"$in": list(paper_ids)}
    return query


def missing_passages(
    passages: Collection, papers: Collection, query: dict[str, Any], limit: int
) -> list[PendingPassage]:
    """The first `limit` passages the query finds among current generations, by key: pages past
    passages of generations that never became current (a crashed write's)."""
    found: list[PendingPassage] = []
    fields = {"papershelf.id": 1, "papershelf.paper.title": 1, "papershelf.generation": 1}
    while len(found) < limit:
        docs = list(
            passages.find(query, {"paper_id": 1, "generation": 1, "section": 1, "text": 1})
            .sort("_id", ASCENDING)
            .limit(limit)
        )
        if not docs:
            break
        ids = list({doc["paper_id"] for doc in docs})
        titles = {
            doc["papershelf"]["id"]: (
                doc["papershelf"]["paper"]["title"],
                doc["papershelf"]["generation"],
            )
            for doc in papers.find({"papershelf.id": {"$in": ids}}, fields)
        }
        found.extend(pending(docs, titles))
        query = {**query, "_id": {"$gt": docs[-1]["_id"]}}
    return found[:limit]


def pending(
    docs: Iterable[dict[str, Any]], papers: dict[str, tuple[str, Any]]
) -> list[PendingPassage]:
    """The passages of current generations, with their paper's title (papers: id -> (title, gen))."""
    found = []
    for doc in docs:
        paper = papers.get(doc["paper_id"])
        if paper is not None and paper[1] == doc["generation"]:
            found.append(
                PendingPassage(
                    int(doc["_id"]), doc["paper_id"], paper[0], doc["section"], doc["text"]
                )
            )
    return found


def checked_matrix(keys: Sequence[int], matrix: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if matrix.ndim != 2 or len(matrix) != len(keys):
        raise StoreError(
            f"cannot store {len(keys)} vectors from a matrix of shape {matrix.shape}; "
            "give one row per passage key"
        )
    return matrix


def vector_updates(
    field: str, embedder_id: str, ids: Sequence[Any], matrix: np.ndarray
) -> list[UpdateOne]:
    return [
        UpdateOne({field: value}, {"$set": {"vector": vector_binary(row), "embedder": embedder_id}})
        for value, row in zip(ids, matrix, strict=True)
    ]


def vector_set(version: str, docs: list[dict[str, Any]], embedder_id: str) -> VectorSet:
    if not docs:
        empty = np.zeros((0, 0), dtype=np.float32)
        return VectorSet(version, np.zeros(0, np.int64), np.array([], dtype=object), empty)
    blobs = [vector_bytes(doc["vector"]) for doc in docs]
    width = len(blobs[0])
    if any(len(blob) != width for blob in blobs):
        raise StoreError(
            f"the stored vectors of {embedder_id!r} differ in length; run `papershelf reindex` "
            "to rebuild them"
        )
    keys = np.fromiter((doc["_id"] for doc in docs), dtype=np.int64, count=len(docs))
    paper_ids = np.array([doc["paper_id"] for doc in docs], dtype=object)
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(docs), width // 4)
    return VectorSet(version, keys, paper_ids, matrix)


def term_vectors(version: str, docs: list[dict[str, Any]]) -> TermVectors:
    blobs = [vector_bytes(doc["vector"]) for doc in docs]
    width = len(blobs[0]) // 4 if blobs else 0
    kept = [
        (doc["_id"], blob) for doc, blob in zip(docs, blobs, strict=True) if len(blob) == width * 4
    ]
    matrix = np.frombuffer(b"".join(blob for _, blob in kept), dtype=np.float32)
    return TermVectors(version, [term for term, _ in kept], matrix.reshape(len(kept), width))
