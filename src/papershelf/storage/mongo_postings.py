"""The MongoDB store's lexical index in memory: the `terms`, `weights` and `length` every current
passage document keeps, held as postings (postings_index.py), so a search scores in a few numpy
operations instead of reading its candidates from the server (~1.4 s a search at 10^4 passages
on SecantusDB that way; docs/benchmarks.md).

The index is kept to the store's version, which every write moves:
- the same version (and the same analyser run): the held index;
- a newer one: the papers whose current generation changed since are compared. Their new
  passages are read alone into a second segment and their old ones masked, while those stay few
  (postings_index.kept_apart) and the new passage keys are above every key held (keys are
  allocated in order; a put that allocated earlier but finished later breaks that and reads all);
- otherwise, or after an analyser run (`reindex`, a new analyser), everything is read again.
"""

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from papershelf.storage.mongo_docs import MANAGED
from papershelf.storage.mongo_layout import Collections
from papershelf.storage.postings_index import PostingIndex, Segment, kept_apart

_POSTING_FIELDS = {"paper_id": 1, "generation": 1, "terms": 1, "weights": 1, "length": 1}


@dataclass(frozen=True)
class HeldIndex:
    """An index and what it was read for."""

    index: PostingIndex
    version: Any
    analyser_run: Any
    generations: dict[str, Any]  # paper id -> the generation its passages were read from
    row_papers: np.ndarray  # paper number of each row (base rows, then added rows)
    paper_numbers: dict[str, int]
    added: tuple[dict[str, Any], ...]  # the passage documents of the added segment, key order

    def rows_of_papers(self, papers: dict[str, Any]) -> np.ndarray:
        """The live rows of these papers (paper id -> current generation)."""
        numbers = [
            self.paper_numbers[paper]
            for paper, generation in papers.items()
            if paper in self.paper_numbers and self.generations.get(paper) == generation
        ]
        rows = np.flatnonzero(np.isin(self.row_papers, numbers))
        return rows if self.index.live is None else rows[self.index.live[rows]]


class HeldPostings:
    """The in-memory index of one store's passage collection."""

    def __init__(self, collections: Collections):
        self.papers, self.passages = collections.papers, collections.passages
        self._held: HeldIndex | None = None
        self._lock = threading.Lock()

    def current(self, version: Any, analyser_run: Any) -> HeldIndex:
        with self._lock:
            held = self._held
            if held is not None and (held.version, held.analyser_run) == (version, analyser_run):
                return held
            generations = self._generations()
            fresh = None
            if held is not None and held.analyser_run == analyser_run:
                fresh = self._brought_forward(held, generations)
            if fresh is None:
                fresh = self._read_whole(generations)
            self._held = HeldIndex(
                fresh.index,
                version,
                analyser_run,
                fresh.generations,
                fresh.row_papers,
                fresh.paper_numbers,
                fresh.added,
            )
            return self._held

    def forget(self) -> None:
        with self._lock:
            self._held = None

    def _generations(self) -> dict[str, Any]:
        return {
            doc["papershelf"]["id"]: doc["papershelf"]["generation"]
            for doc in self.papers.find(MANAGED, {"papershelf.id": 1, "papershelf.generation": 1})
        }

    def _current_passages(
        self, generations: dict[str, Any], paper_ids: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """The passage documents of the papers' current generations, in key order."""
        query: dict[str, Any] = {} if paper_ids is None else {"paper_id": {"$in": paper_ids}}
        docs = [
            doc
            for doc in self.passages.find(query, _POSTING_FIELDS)
            if generations.get(doc["paper_id"]) == doc["generation"] and "terms" in doc
        ]
        docs.sort(key=lambda doc: doc["_id"])
        return docs

    def _read_whole(self, generations: dict[str, Any]) -> HeldIndex:
        tokens: dict[str, int] = {}
        docs = self._current_passages(generations)
        numbers: dict[str, int] = {}
        base = _segment(docs, tokens)
        return HeldIndex(
            PostingIndex(tokens, base),
            None,
            None,
            generations,
            _paper_numbers(docs, numbers),
            numbers,
            (),
        )

    def _brought_forward(self, held: HeldIndex, generations: dict[str, Any]) -> HeldIndex | None:
        """The held index with the papers changed since read anew, or None when the whole
        library must be read again."""
        changed = [p for p, g in generations.items() if held.generations.get(p) != g]
        gone = {p for p, g in held.generations.items() if generations.get(p) != g}
        if not changed and not gone:
            return held
        new = self._current_passages(generations, changed) if changed else []
        index = held.index
        highest = int(index.keys[-1]) if index.size else 0
        if new and int(new[0]["_id"]) <= highest:
            return None  # a put that took its keys before others finished after them
        gone_numbers = [held.paper_numbers[p] for p in gone if p in held.paper_numbers]
        base_rows = len(index.base.keys)
        base_live = index.base_live if index.base_live is not None else np.ones(base_rows, bool)
        base_live = base_live & ~np.isin(held.row_papers[:base_rows], gone_numbers)
        added = tuple(doc for doc in held.added if doc["paper_id"] not in gone) + tuple(new)
        removed = base_rows - int(base_live.sum())
        if not kept_apart(base_rows, len(added), removed):
            return None
        tokens = dict(index.tokens)
        numbers = dict(held.paper_numbers)
        added_papers = _paper_numbers(added, numbers)
        return HeldIndex(
            PostingIndex(
                tokens, index.base, _segment(added, tokens), base_live if removed else None
            ),
            None,
            None,
            generations,
            np.concatenate([held.row_papers[:base_rows], added_papers]),
            numbers,
            added,
        )


def _segment(
    docs: tuple[dict[str, Any], ...] | list[dict[str, Any]], tokens: dict[str, int]
) -> Segment:
    """The postings of these passage documents (key order), giving new tokens the next ids."""
    ids = [
        np.array(
            [tokens.setdefault(term, len(tokens)) for term in doc["terms"]], np.int32
        ).tobytes()
        for doc in docs
    ]
    weights = [np.array(doc["weights"], np.float32).tobytes() for doc in docs]
    return Segment.build(
        [int(doc["_id"]) for doc in docs],
        ids,
        weights,
        [int(doc["length"]) for doc in docs],
        len(tokens),
    )


def _paper_numbers(docs, numbers: dict[str, int]) -> np.ndarray:
    """Each document's paper number, numbering new papers as they come."""
    return np.array([numbers.setdefault(doc["paper_id"], len(numbers)) for doc in docs], np.int64)
