"""Replacing and removing a paper in the MongoDB store, whole or not at all.

Every put writes the paper's passages under a new generation, then switches the paper document to
it (one single-document update, conditional on the generation it read) and moves the store's
version, then deletes the older generations and adjusts the lexicon's word counts; readers only
ever use passages of the paper's current generation. On a replica set or sharded cluster all of
this runs in one multi-document transaction, so counts and passages change together. On a
standalone server (no transactions) the same steps run in that order as a compensating scheme:
each writer deletes only the generations it read before switching (never one a later writer
switched to), and a put that fails before its switch deletes its own passages. A crash of the
process leaves the old or the new paper whole, at worst with unused passages of a generation that
never became current (removed by the paper's next write) and word counts off by that paper until
`papershelf reindex --lexical` (`MongoStore.reindex()`).
"""

import random
import re
import time
from contextlib import suppress
from functools import partial
from typing import Any

from bson import ObjectId
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from papershelf.core.errors import StoreError
from papershelf.core.models import Document, Paper
from papershelf.storage.bm25_analysis import analyse_passages
from papershelf.storage.mongo_docs import papershelf_fields, passage_fields, tutorial_fields
from papershelf.storage.mongo_layout import ARXIV_INDEX, Collections
from papershelf.storage.mongo_vectors import allocate_keys, bump_version, lexicon_counts
from papershelf.storage.shared import check_passages_belong

_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
_ATTEMPTS = 8  # 6 gave up once in a full test run: three writers of one paper, standalone
# How long concurrent writers may keep conflicting before a put gives up.
TRANSACTION_RETRY_S = 20.0


class _LostRace(Exception):
    """Another writer switched the paper between our read and our switch; start again."""


class Writer:
    def __init__(self, client: MongoClient, collections: Collections, transactions: bool):
        self.client, self.c = client, collections
        self.transactions = transactions

    def _run(self, step: Any) -> Any:
        """step(session) in a transaction, again while writers conflict (never past
        TRANSACTION_RETRY_S: pymongo's with_transaction would retry a lost server for 120 s);
        step(None) on a standalone server. Every step may run twice: puts and removes are
        idempotent."""
        if not self.transactions:
            return step(None)
        deadline = time.monotonic() + TRANSACTION_RETRY_S
        attempt = 0
        with self.client.start_session() as session:
            while True:
                attempt += 1
                try:
                    with session.start_transaction():
                        return step(session)
                except PyMongoError as exc:
                    if (
                        isinstance(exc, ConnectionFailure)
                        or not exc.has_error_label("TransientTransactionError")
                        or time.monotonic() > deadline
                    ):
                        raise
                time.sleep(random.random() * min(0.005 * 1.5**attempt, 0.5))

    def put(self, document: Document) -> None:
        check_passages_belong(document)
        paper = document.paper
        ordinals = [p.ordinal for p in document.passages]
        if len(set(ordinals)) != len(ordinals):
            raise StoreError(
                f"cannot store {paper.id}: duplicate passage ordinals; the library was left "
                "unchanged"
            )
        analysed = analyse_passages(paper.title, ((p.section, p.text) for p in document.passages))
        docs = []
        for passage, terms in zip(document.passages, analysed, strict=True):
            doc = passage_fields(passage)
            doc.update(terms=terms.terms, weights=terms.weights, length=terms.length)
            docs.append(doc)
        for attempt in range(_ATTEMPTS):
            first = allocate_keys(self.c.meta, len(docs)) if docs else 0
            generation = ObjectId()
            new = [
                {"_id": first + i, "paper_id": paper.id, "generation": generation, **doc}
                for i, doc in enumerate(docs)
            ]
            try:
                self._run(partial(self._replace, document, new, generation))
                return
            except DuplicateKeyError as exc:
                if ARXIV_INDEX in str(exc):
                    raise StoreError(
                        f"cannot store {paper.id}: its arXiv id {paper.arxiv_id} is stored under "
                        "another paper id; the library was left unchanged"
                    ) from exc
                if attempt == _ATTEMPTS - 1:
                    raise StoreError(
                        f"cannot store {paper.id}: other writers kept changing it; retry"
                    ) from exc
            except _LostRace:
                if attempt == _ATTEMPTS - 1:
                    raise StoreError(
                        f"cannot store {paper.id}: other writers kept changing it; retry"
                    ) from None
            time.sleep(random.random() * 0.01 * 2**attempt)  # let the winner finish

    def _replace(
        self,
        document: Document,
        new: list[dict[str, Any]],
        generation: ObjectId,
        session: ClientSession | None,
    ) -> None:
        paper = document.paper
        c = self.c
        current = c.papers.find_one(
            {"papershelf.id": paper.id},
            {"papershelf.generation": 1, "papershelf.paper.title": 1},
            session=session,
        )
        old_generation = current["papershelf"]["generation"] if current else None
        old = list(
            c.passages.find(
                {"paper_id": paper.id},
                {"section": 1, "text": 1, "vector": 1, "embedder": 1, "generation": 1},
                session=session,
            )
        )
        counted = [doc for doc in old if doc["generation"] == old_generation]
        # Only what was there when we looked: a generation another writer switched to meanwhile
        # is theirs to keep (our switch then fails, as it is conditional on old_generation).
        superseded = list({doc["generation"] for doc in old})
        if current is not None and current["papershelf"]["paper"]["title"] == paper.title:
            _restore_vectors(counted, new)
        fields = papershelf_fields(
            paper, document.sections, generation, len(new), sum(doc["length"] for doc in new)
        )
        try:
            if new:
                c.passages.insert_many(new, ordered=True, session=session)
            self._switch(paper, current, fields, document.content, session)
        except BaseException:
            if session is None:  # a transaction rolls back by itself
                with suppress(PyMongoError):
                    c.passages.delete_many({"paper_id": paper.id, "generation": generation})
            raise
        # Readers see the new paper from the switch on: the version moves with it, before the
        # cleanup below, which a failure can stop on a standalone server.
        bump_version(c.meta, session)
        if superseded:
            c.passages.delete_many(
                {"paper_id": paper.id, "generation": {"$in": superseded}}, session=session
            )
        self._count_words(new, counted, session)

    def _switch(
        self,
        paper: Paper,
        current: dict[str, Any] | None,
        fields: dict[str, Any],
        content: str,
        session: ClientSession | None,
    ) -> None:
        """Point the paper document at the new generation: the moment the new paper appears."""
        papers = self.c.papers
        tutorial = tutorial_fields(paper, content)
        if current is not None:
            update = {"$set": {**tutorial, "papershelf": fields}}
            done = papers.update_one(
                {
                    "_id": current["_id"],
                    "papershelf.generation": current["papershelf"]["generation"],
                },
                update,
                session=session,
            )
            if done.matched_count != 1:
                raise _LostRace
            return
        legacy_id = paper.legacy_id
        record_id = ObjectId(legacy_id) if legacy_id and _OBJECT_ID.match(legacy_id) else None
        if record_id is not None:
            # A document the tutorial's scripts wrote: adopt it in place, its own fields untouched
            # but `content`, which the paper is read back from: a paper put under the record's id
            # with other text (a copy by `migrate --merge`) keeps its own.
            unadopted = {"_id": record_id, "papershelf": {"$exists": False}}
            record = papers.find_one(unadopted, {"content": 1}, session=session)
            changes: dict[str, Any] = {"papershelf": fields}
            if record is not None and record.get("content") != content:
                changes["content"] = content
            adopted = papers.update_one(unadopted, {"$set": changes}, session=session)
            if adopted.matched_count == 1:
                return
            if papers.find_one({"_id": record_id}, {"_id": 1}, session=session) is not None:
                record_id = None  # the ObjectId belongs to another paper already
        papers.insert_one(
            {"_id": record_id or ObjectId(), **tutorial, "papershelf": fields},
            session=session,
        )

    def _count_words(
        self, new: list[dict[str, Any]], old: list[dict[str, Any]], session: ClientSession | None
    ) -> None:
        words = lexicon_counts(doc["text"] for doc in new)
        words.subtract(lexicon_counts(doc["text"] for doc in old))
        self.c.words.add(words, session)

    def remove(self, paper_id: str) -> bool:
        return bool(self._run(lambda session: self._remove(paper_id, session)))

    def _remove(self, paper_id: str, session: ClientSession | None) -> bool:
        c = self.c
        current = c.papers.find_one(
            {"papershelf.id": paper_id}, {"papershelf.generation": 1}, session=session
        )
        if current is None:
            return False
        generation = current["papershelf"]["generation"]
        # Leftovers known now, not whatever a concurrent put inserts later (its switch then fails).
        known = list(c.passages.distinct("generation", {"paper_id": paper_id}, session=session))
        gone = c.papers.delete_one(
            {"_id": current["_id"], "papershelf.generation": generation}, session=session
        )
        if gone.deleted_count != 1:
            return False  # removed or replaced by another writer meanwhile
        bump_version(c.meta, session)
        counted = list(
            c.passages.find(
                {"paper_id": paper_id, "generation": generation}, {"text": 1}, session=session
            )
        )
        c.passages.delete_many(
            {"paper_id": paper_id, "generation": {"$in": [generation, *known]}}, session=session
        )
        self._count_words([], counted, session)
        return True


def _restore_vectors(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    """Unchanged passages of an unchanged title keep their vectors: re-adding costs no embedding."""
    kept = {
        (doc["section"], doc["text"]): (doc["vector"], doc["embedder"])
        for doc in old
        if doc.get("vector") is not None and doc.get("embedder") is not None
    }
    for doc in new:
        found = kept.get((doc["section"], doc["text"]))
        if found is not None:
            doc["vector"], doc["embedder"] = found
