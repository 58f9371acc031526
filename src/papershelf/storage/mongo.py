"""The MongoDB store: the tutorial's database layout, kept readable and writable by its own scripts.

Papers live in the paper collection (COLLECTION_NAME, in DB_NAME), one tutorial-shaped document
each (see mongo_docs.py); passages with their vectors and index tokens in `<collection>.passages`;
document frequencies of lexicon words in `<collection>.counts` (mongo_counts.py); vectors of
lexicon words in `<collection>.lexicon`; counters and schema facts in `<collection>.meta`.
Writes: mongo_writes.py; lexical search: mongo_search.py, over postings held in memory
(mongo_postings.py). pymongo's client is thread-safe, so threads share one.

Atlas Vector Search: passage vectors are BSON float32 vectors in `vector`, tagged by `embedder`,
which a vector search index (with `embedder` as a filter field) can cover; papershelf's dense
search still reads them through `vectors()` and ranks in process, as on SQLite. No `$vectorSearch`
pipeline is built: no server here runs one, so it could not be tested.
"""

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np
from bson import json_util
from bson.errors import InvalidDocument
from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from papershelf.core.errors import StoreError
from papershelf.core.models import Document, Paper, PaperFilter, Passage
from papershelf.storage.base import PendingPassage, TermVectors, VectorSet
from papershelf.storage.bm25_analysis import mongo_analyzer_fingerprint
from papershelf.storage.mongo_connection import (
    connect,
    redact,
    store_error,
    supports_transactions,
)
from papershelf.storage.mongo_docs import (
    LIST_ORDER,
    MANAGED,
    PASSAGE_PROJECTION,
    SCHEMA_VERSION,
    filter_query,
    paper_from,
    passage_from,
    sections_from,
    vector_binary,
)
from papershelf.storage.mongo_layout import ANALYZER_ID, Collections, create_indexes
from papershelf.storage.mongo_reindex import rebuild_index, rebuild_lease
from papershelf.storage.mongo_search import HeldTitles, LexicalIndex
from papershelf.storage.mongo_vector_reads import VectorReads, count_vector_writes
from papershelf.storage.mongo_vectors import (
    KEYS_ID,
    LIBRARY_FIELD,
    VERSION_ID,
    bump_version,
    checked_matrix,
    missing_passages,
    missing_query,
    read_version,
    term_vectors,
    uncounted_changes,
    vector_updates,
    version_of,
)
from papershelf.storage.mongo_writes import Writer

SCHEMA_ID = "schema"
_PAPER_PROJECTION = {"papershelf.paper": 1}
# Raw documents the tutorial's scripts wrote: no papershelf fields, not set aside as unusable.
UNINDEXED = {"papershelf.schema": None, "papershelf_skipped": None}

log = logging.getLogger(__name__)


class MongoStore:
    """A Store in a MongoDB database (a replica set, a sharded cluster, Atlas or a standalone)."""

    def __init__(self, uri: str, db_name: str = "essay_database", collection: str = "ai_essay"):
        self.uri = uri
        self._client = connect(uri)
        try:
            with self._errors():
                db: Database = self._client[db_name]
                self.c = Collections.of(db, collection)
                self.transactions = supports_transactions(self._client)
                stale = self._prepare()
                if stale:
                    self._rebuild(required=False)
        except BaseException:
            self._client.close()
            raise
        self._writer = Writer(self._client, self.c, self.transactions)
        self._titles = HeldTitles(self.c)
        self._lexical = LexicalIndex(self.c, self._titles)
        self._vector_reads = VectorReads(self.c)

    def _prepare(self) -> bool:
        """Create what a new library needs; whether its lexical index is stale."""
        schema = self.c.meta.find_one({"_id": SCHEMA_ID})
        if schema is not None and int(schema["value"]) > SCHEMA_VERSION:
            raise StoreError(
                f"the MongoDB library at {redact(self.uri)} was written by a newer papershelf "
                f"(schema {schema['value']}); upgrade papershelf to open it"
            )
        create_indexes(self.c)
        library = uuid.uuid4().hex
        initial: dict[str, dict[str, Any]] = {
            # $max: a process of an older papershelf (which kept token counts and BM25 totals
            # that this one neither keeps nor reads) refuses the library from now on
            SCHEMA_ID: {"$max": {"value": SCHEMA_VERSION}},
            KEYS_ID: {"$setOnInsert": {"value": 0}},
            VERSION_ID: {"$setOnInsert": {"value": 1, LIBRARY_FIELD: library}},
        }
        for key, change in initial.items():
            with suppress(DuplicateKeyError):  # another process created it at the same moment
                self.c.meta.update_one({"_id": key}, change, upsert=True)
        # a library made before versions carried its id
        self.c.meta.update_one(
            {"_id": VERSION_ID, LIBRARY_FIELD: {"$exists": False}},
            {"$set": {LIBRARY_FIELD: library}},
        )
        analyzer = self.c.meta.find_one({"_id": ANALYZER_ID})
        if analyzer is None:
            return True  # a new library: nothing to rebuild, nothing to say
        if analyzer["value"] == mongo_analyzer_fingerprint():
            return False
        log.warning(
            "the search index of %s was built by another text analyser: rebuilding it",
            redact(self.uri),
        )
        return True

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except PyMongoError as exc:
            raise store_error(exc, self.uri) from exc
        except InvalidDocument as exc:  # e.g. a paper over MongoDB's 16 MiB document limit
            raise StoreError(
                f"MongoDB cannot hold this paper ({exc}); the library was left unchanged"
            ) from exc

    def close(self) -> None:
        self._client.close()

    # Writes

    def put(self, document: Document) -> None:
        with self._errors():
            self._writer.put(document)

    def remove(self, paper_id: str) -> bool:
        with self._errors():
            return self._writer.remove(paper_id)

    def reindex(self) -> None:
        """Re-analyse every passage and recount the lexicon's words (after an analyser change, or
        to repair the counts a crash on a standalone server left behind)."""
        self._rebuild(required=True)

    def _rebuild(self, required: bool) -> None:
        """Rebuild under the lease; if another process holds it, skip (when opening: that process
        brings the index up to date) or, when asked to, say so."""
        with self._errors(), rebuild_lease(self.c.meta) as held:
            if not held:
                if required:
                    raise StoreError(
                        f"another papershelf process is rebuilding the index of {redact(self.uri)}; "
                        "retry when it has finished"
                    )
                return
            rebuild_index(self.c)
            self.c.meta.update_one(
                {"_id": ANALYZER_ID},
                {"$set": {"value": mongo_analyzer_fingerprint()}, "$inc": {"runs": 1}},
                upsert=True,
            )
            bump_version(self.c.meta, counted=False)  # and every reader reads all vectors once

    def _generations(self, paper_ids: Sequence[str] | None = None) -> dict[str, Any]:
        query: dict[str, Any] = dict(MANAGED)
        if paper_ids is not None:
            query["papershelf.id"] = {"$in": list(paper_ids)}
        return {
            doc["papershelf"]["id"]: doc["papershelf"]["generation"]
            for doc in self.c.papers.find(query, {"papershelf.id": 1, "papershelf.generation": 1})
        }

    # Documents the tutorial's scripts wrote

    def unindexed_records(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Paper documents without papershelf's fields, as the tutorial's export has them
        (extended JSON: `{"$oid": ...}` ids)."""
        with self._errors():
            found = list(self.c.papers.find(UNINDEXED).limit(limit))
        return [json.loads(json_util.dumps(doc)) for doc in found]

    def foreign_records(self) -> int:
        """How many documents of the paper collection papershelf did not write: the tutorial's
        scripts' records, not adopted yet or set aside."""
        with self._errors():
            return self.c.papers.count_documents({"papershelf.id": {"$exists": False}})

    def skip_record(self, record_id: Any, reason: str) -> None:
        """Set a document aside that cannot become a paper, so it is not offered again; record_id
        is its `_id` as unindexed_records gives it (extended JSON: an ObjectId is {"$oid": ...})."""
        key = json_util.loads(json.dumps(record_id)) if isinstance(record_id, dict) else record_id
        with self._errors():
            self.c.papers.update_one({"_id": key}, {"$set": {"papershelf_skipped": reason}})

    # Vectors of passages and of the term lexicon

    def passages_missing_vectors(
        self, embedder_id: str, limit: int = 256, paper_ids: Sequence[str] | None = None
    ) -> list[PendingPassage]:
        if limit <= 0:
            return []
        with self._errors():
            return missing_passages(
                self.c.passages, self.c.papers, missing_query(embedder_id, paper_ids), limit
            )

    def count_missing_vectors(
        self, embedder_id: str, paper_ids: Sequence[str] | None = None
    ) -> int:
        with self._errors():
            generations = self._generations(paper_ids)
            found = self.c.passages.find(
                missing_query(embedder_id, paper_ids), {"paper_id": 1, "generation": 1}
            )
            return sum(generations.get(doc["paper_id"]) == doc["generation"] for doc in found)

    def set_vectors(self, embedder_id: str, keys: Sequence[int], matrix: np.ndarray) -> int:
        matrix = checked_matrix(keys, matrix)
        ids = [int(k) for k in keys]
        updates = vector_updates("_id", embedder_id, ids, matrix)
        return self._update_vectors(self.c.passages, updates, passage_keys=ids)

    def _update_vectors(
        self,
        collection: Any,
        updates: list[UpdateOne],
        count: int | None = None,
        passage_keys: Sequence[int] = (),
    ) -> int:
        """Apply the vector updates in one transaction; how many matched (or `count`). Vector
        writes to passages are counted on their papers, after the writes (mongo_vector_reads)."""
        if not updates:
            return 0

        def write(session: Any) -> int:
            result = collection.bulk_write(updates, ordered=False, session=session)
            stored = result.matched_count if count is None else count
            if stored:
                try:
                    if passage_keys:
                        count_vector_writes(self.c, passage_keys, session)
                    bump_version(self.c.meta, session)
                except PyMongoError:
                    if session is None:  # no transaction undoes the vectors written: readers
                        with suppress(PyMongoError):  # must read everything once
                            bump_version(self.c.meta, counted=False)
                    raise
            return stored

        with self._errors():
            return int(self._writer._run(write))

    def vectors(
        self,
        embedder_id: str,
        unless_version: str | None = None,
        since: VectorSet | None = None,
    ) -> VectorSet | None:
        with self._errors():
            found = self.c.meta.find_one({"_id": VERSION_ID})
            version = version_of(found)
            if unless_version is not None and version == unless_version:
                return None
            return self._vector_reads.read(embedder_id, version, uncounted_changes(found), since)

    def get_passages(self, keys: Sequence[int]) -> dict[int, Passage]:
        if not keys:
            return {}
        with self._errors():
            found = self.c.passages.find(
                {"_id": {"$in": [int(k) for k in keys]}}, PASSAGE_PROJECTION
            )
            return {int(doc["_id"]): passage_from(doc) for doc in found}

    def terms_missing_vectors(
        self, embedder_id: str, min_df: int = 2, limit: int = 512
    ) -> list[str]:
        if limit <= 0:
            return []
        with self._errors():
            frequent = self.c.words.all(at_least=min_df)
            embedded = {doc["_id"] for doc in self.c.lexicon.find({"embedder": embedder_id}, {})}
        missing = [word for word in frequent if word not in embedded]
        return sorted(missing, key=lambda word: (-frequent[word], word))[:limit]

    def set_term_vectors(self, embedder_id: str, terms: Sequence[str], matrix: np.ndarray) -> int:
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        with self._errors():
            counted = self.c.words.get(terms)
        rows = [(term, row) for term, row in zip(terms, matrix, strict=True) if counted.get(term)]
        if not rows:
            return 0
        updates = [
            UpdateOne(
                {"_id": t},
                {"$set": {"vector": vector_binary(r), "embedder": embedder_id}},
                upsert=True,
            )
            for t, r in rows
        ]
        return self._update_vectors(self.c.lexicon, updates, count=len(rows))

    def term_vectors(
        self,
        embedder_id: str,
        min_df: int = 2,
        limit: int = 50_000,
        unless_version: str | None = None,
        since: TermVectors | None = None,
    ) -> TermVectors | None:
        with self._errors():  # every word is read again: `since` is not used
            version = read_version(self.c.meta)
            if unless_version is not None and version == unless_version:
                return None
            frequent = self.c.words.all(at_least=min_df)
            docs = [
                doc
                for doc in self.c.lexicon.find({"embedder": embedder_id, "vector": {"$ne": None}})
                if doc["_id"] in frequent
            ]
        docs.sort(key=lambda doc: (-frequent[doc["_id"]], doc["_id"]))
        return term_vectors(version, docs[: max(limit, 0)])

    # Reads

    def get(self, paper_id: str) -> Paper | None:
        with self._errors():
            doc = self.c.papers.find_one({"papershelf.id": paper_id}, _PAPER_PROJECTION)
        return None if doc is None else paper_from(doc)

    def get_document(self, paper_id: str) -> Document | None:
        with self._errors():
            for _ in range(5):
                doc = self.c.papers.find_one({"papershelf.id": paper_id})
                if doc is None:
                    return None
                shelf = doc["papershelf"]
                passages = list(
                    self.c.passages.find(
                        {"paper_id": paper_id, "generation": shelf["generation"]},
                        {**PASSAGE_PROJECTION, "vector": 1},
                    ).sort("ordinal", ASCENDING)
                )
                if len(passages) == shelf["passages"]:  # else a writer replaced it meanwhile
                    return Document(
                        paper=paper_from(doc),
                        content=doc.get("content") or "",
                        sections=sections_from(doc),
                        passages=[passage_from(p, with_vector=True) for p in passages],
                    )
        raise StoreError(f"{paper_id} kept changing while being read; try again")

    def find(
        self,
        *,
        arxiv_id: str | None = None,
        content_sha256: str | None = None,
        file_sha256: str | None = None,
        legacy_id: str | None = None,
    ) -> Paper | None:
        keys = {
            "arxiv_id": arxiv_id,
            "content_sha256": content_sha256,
            "file_sha256": file_sha256,
            "legacy_id": legacy_id,
        }
        with self._errors():
            for field, value in keys.items():
                if not value:
                    continue
                doc = self.c.papers.find_one(
                    {f"papershelf.paper.{field}": value},
                    _PAPER_PROJECTION,
                    sort=[("papershelf.id", ASCENDING)],
                )
                if doc is not None:
                    return paper_from(doc)
        return None

    def search_lexical(
        self, terms: list[str], limit: int = 20, filter: PaperFilter | None = None
    ) -> list[tuple[Passage, float]]:
        """Passages matching any term, best bm25 first; the passages come without their vectors."""
        with self._errors():
            return self._lexical.search(terms, limit, filter)

    def indexed_tokens(self, tokens: Sequence[str]) -> set[str]:
        with self._errors():
            return self._lexical.indexed_tokens(tokens)

    # From here on `list` names this method, so later annotations cannot use `list[...]`.
    def list(
        self, filter: PaperFilter | None = None, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        if limit <= 0:
            return []
        with self._errors():
            found = (
                self.c.papers.find(filter_query(filter), _PAPER_PROJECTION)
                .sort(LIST_ORDER)
                .skip(max(offset, 0))
                .limit(limit)
            )
            return [paper_from(doc) for doc in found]

    def titles(self, paper_ids: Sequence[str]) -> dict[str, str]:
        with self._errors():
            return self._titles.read(paper_ids)

    def count(self, filter: PaperFilter | None = None) -> int:
        with self._errors():
            return self.c.papers.count_documents(filter_query(filter))

    def collections(self) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [
            {"$match": MANAGED},
            {"$unwind": "$papershelf.collections"},
            {"$group": {"_id": "$papershelf.collections", "n": {"$sum": 1}}},
        ]
        with self._errors():
            found = {doc["_id"]: int(doc["n"]) for doc in self.c.papers.aggregate(pipeline)}
        return dict(sorted(found.items()))
