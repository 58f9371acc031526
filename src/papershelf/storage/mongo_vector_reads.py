"""Reading the MongoDB store's passage vectors again after a write: only the papers that changed.

A passage's vector counts while its paper's current generation is the passage's, so what a read
depends on is, per paper, the generation and the vector writes to its passages. Every paper
document carries both: `put` gives it a new generation, and `set_vectors` counts a write on each
paper it touched (VECTOR_WRITES) after writing the vectors. A read returns these marks with the set
(`VectorSet.read_marks`: two reads at one version may see different marks, a writer having moved
them in between); a read given that set (`since`) reads the marks again and only the vectors of
the papers whose marks moved, gone papers dropped. The answer is a whole read's, order included.

A writer counts its write only after the vectors are written, so a reader that sees the count sees
them, and one that does not will see the count moved at its next read. An older papershelf counts
nothing; the version document shows its changes (`uncounted_changes`), and the next read is whole.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pymongo import ASCENDING
from pymongo.client_session import ClientSession

from papershelf.storage.base import VectorSet
from papershelf.storage.mongo_docs import MANAGED
from papershelf.storage.mongo_layout import Collections
from papershelf.storage.mongo_vectors import vector_set

VECTOR_WRITES = "vector_writes"  # in each paper document's `papershelf` fields
_MARKS = {"papershelf.id": 1, "papershelf.generation": 1, f"papershelf.{VECTOR_WRITES}": 1}
_ROW_FIELDS = {"paper_id": 1, "generation": 1, "vector": 1}
Marks = dict[str, tuple[Any, int]]  # paper id -> (current generation, vector writes)


@dataclass(frozen=True)
class _ReadMarks:
    """Carried by each set this store returns (`VectorSet.read_marks`)."""

    papers: Marks
    uncounted: int  # the store's changes no counting papershelf made, at the read


def count_vector_writes(c: Collections, keys: Sequence[int], session: ClientSession | None) -> None:
    """Count a vector write on the papers of these passages (after the vectors are written)."""
    # Not `distinct`: a transaction refuses it on a sharded collection (docs/scaling.md shards
    # the passages).
    found = c.passages.find({"_id": {"$in": list(keys)}}, {"paper_id": 1}, session=session)
    papers = sorted({doc["paper_id"] for doc in found})
    if papers:
        c.papers.update_many(
            {"papershelf.id": {"$in": papers}},
            {"$inc": {f"papershelf.{VECTOR_WRITES}": 1}},
            session=session,
        )


def paper_marks(c: Collections) -> Marks:
    marks = {}
    for doc in c.papers.find(MANAGED, _MARKS):
        fields = doc["papershelf"]
        marks[fields["id"]] = (fields["generation"], int(fields.get(VECTOR_WRITES, 0)))
    return marks


def _library_and_count(version: str) -> tuple[str, int]:
    library, _, count = version.rpartition(":")
    return library, int(count) if count.isdigit() else -1


class VectorReads:
    """The store's passage vector reads."""

    def __init__(self, c: Collections):
        self.c = c

    def read(
        self, embedder_id: str, version: str, uncounted: int, since: VectorSet | None
    ) -> VectorSet:
        """Every current vector of the embedder under `version` (read, with `uncounted`, before
        the marks), built from `since` when its marks can be trusted (`_earlier_marks`)."""
        marks = paper_marks(self.c)
        earlier = _earlier_marks(since, version, uncounted)
        if since is None or earlier is None:
            found = self._whole(embedder_id, version, marks)
        else:
            found = self._changed(embedder_id, version, marks, since, earlier)
        return dataclasses.replace(found, read_marks=_ReadMarks(marks, uncounted))

    def _whole(self, embedder_id: str, version: str, marks: Marks) -> VectorSet:
        docs = self.c.passages.find(
            {"embedder": embedder_id, "vector": {"$ne": None}}, _ROW_FIELDS
        ).sort("_id", ASCENDING)
        return vector_set(version, _current(docs, marks), embedder_id)

    def _changed(
        self, embedder_id: str, version: str, marks: Marks, since: VectorSet, earlier: Marks
    ) -> VectorSet:
        changed = [paper for paper, mark in marks.items() if earlier.get(paper) != mark]
        gone = [paper for paper in earlier if paper not in marks]
        if not changed and not gone:
            return VectorSet(version, since.keys, since.paper_ids, since.matrix, len(since.keys))
        if 2 * len(changed) > len(marks):
            return self._whole(embedder_id, version, marks)
        docs = self.c.passages.find(
            {"paper_id": {"$in": changed}, "embedder": embedder_id, "vector": {"$ne": None}},
            _ROW_FIELDS,
        ).sort("_id", ASCENDING)
        added = vector_set(version, _current(docs, marks), embedder_id)
        if len(added.keys) and len(since.keys) and added.matrix.shape[1] != since.matrix.shape[1]:
            return self._whole(embedder_id, version, marks)
        kept = ~np.isin(since.paper_ids, np.array([*changed, *gone], dtype=object))
        return _merged(version, since, kept, added)


def _earlier_marks(since: VectorSet | None, version: str, uncounted: int) -> Marks | None:
    """The marks `since` was read under, if a read now at `version` can build on it: a set of
    this store's kind, of the same library at no earlier version, and every change since
    counted."""
    if since is None or not isinstance(since.read_marks, _ReadMarks):
        return None
    library, count = _library_and_count(version)
    known_library, known_count = _library_and_count(since.version)
    # Another library under the same name hands out the same passage keys again; an earlier
    # count means the database was put back from a backup.
    if library != known_library or count < known_count:
        return None
    return since.read_marks.papers if since.read_marks.uncounted == uncounted else None


def _current(docs: Any, marks: Marks) -> list[dict[str, Any]]:
    """The passages of their paper's current generation."""
    current = {paper: generation for paper, (generation, _) in marks.items()}
    return [doc for doc in docs if current.get(doc["paper_id"]) == doc["generation"]]


def _merged(version: str, since: VectorSet, kept: np.ndarray, added: VectorSet) -> VectorSet:
    """The kept rows of `since` and the added ones, by key."""
    if kept.all() and (
        not len(added.keys) or not len(since.keys) or added.keys[0] > since.keys[-1]
    ):
        if not len(added.keys):
            return VectorSet(version, since.keys, since.paper_ids, since.matrix, len(since.keys))
        if not len(since.keys):
            return added
        return VectorSet(
            version,
            np.concatenate([since.keys, added.keys]),
            np.concatenate([since.paper_ids, added.paper_ids]),
            np.concatenate([since.matrix, added.matrix]),
            len(since.keys),
        )
    keys = np.concatenate([since.keys[kept], added.keys])
    if not len(keys):
        return added
    order = np.argsort(keys, kind="stable")
    paper_ids = np.concatenate([since.paper_ids[kept], added.paper_ids])[order]
    if not len(added.keys):
        matrix = since.matrix[np.flatnonzero(kept)[order]]
    else:
        matrix = np.concatenate([since.matrix[kept], added.matrix])[order]
    return VectorSet(version, keys[order], paper_ids, matrix)
