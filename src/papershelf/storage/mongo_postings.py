"""The MongoDB store's lexical index in memory: the `terms`, `weights` and `length` every current
passage document keeps, held as postings (postings_index.py), so a search scores in a few numpy
operations instead of reading its candidates from the server (~1.4 s a search at 10^4 passages
on SecantusDB that way; docs/benchmarks.md).

The index is kept to the store's version, which every write moves:
- the same version: the held index;
- a newer one of the same lineage (library, analyser and its runs): the papers whose current
  generation changed since are compared. Their new passages are read alone into a second segment
  and their old ones masked, while those stay few (postings_index.kept_apart) and the new passage
  keys are above every key held (keys are allocated in order; a put that allocated earlier but
  finished later breaks that and reads all);
- otherwise (another library at the same name, an analyser run, many changes) everything is read
  again.
Passages are held as their token ids and weights (8 bytes a token), never as the documents read.
"""

import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from papershelf.storage.mongo_docs import MANAGED
from papershelf.storage.mongo_layout import Collections
from papershelf.storage.postings_index import PostingIndex, Segment, kept_apart

_POSTING_FIELDS = {"paper_id": 1, "generation": 1, "terms": 1, "weights": 1, "length": 1}


class _Row(NamedTuple):
    """One passage as the index holds it."""

    key: int
    paper_id: str
    token_ids: bytes  # int32
    weights: bytes  # float32
    length: int


class _Paper(NamedTuple):
    generation: Any
    passages: int


@dataclass(frozen=True)
class HeldIndex:
    """An index and what it was read for."""

    index: PostingIndex
    version: Hashable
    lineage: Hashable
    papers: dict[str, _Paper]  # the generation each paper's passages were read from
    row_papers: np.ndarray  # paper number of each row (base rows, then added rows)
    paper_numbers: dict[str, int]
    added: tuple[_Row, ...]  # the rows of the added segment, in key order

    def rows_of_papers(self, papers: dict[str, Any]) -> np.ndarray:
        """The live rows of these papers (paper id -> current generation)."""
        numbers = [
            self.paper_numbers[paper]
            for paper, generation in papers.items()
            if paper in self.paper_numbers
            and paper in self.papers
            and self.papers[paper].generation == generation
        ]
        rows = np.flatnonzero(np.isin(self.row_papers, numbers))
        return rows if self.index.live is None else rows[self.index.live[rows]]


class HeldPostings:
    """The in-memory index of one store's passage collection."""

    def __init__(self, collections: Collections):
        self.papers, self.passages = collections.papers, collections.passages
        self._held: HeldIndex | None = None
        self._lock = threading.Lock()

    def current(self, version: Hashable, lineage: Hashable) -> HeldIndex:
        """The index of this version; `lineage` names what a newer version may be read on top
        of (a different one reads everything)."""
        with self._lock:
            held = self._held
            if held is not None and (held.version, held.lineage) == (version, lineage):
                return held
            papers = self._papers()
            fresh = None
            if held is not None and held.lineage == lineage:
                fresh = self._brought_forward(held, papers)
            if fresh is None:
                fresh = self._read_whole(papers)
            self._held = replace(fresh, version=version, lineage=lineage)
            return self._held

    def forget(self) -> None:
        with self._lock:
            self._held = None

    def _papers(self) -> dict[str, _Paper]:
        fields = {"papershelf.id": 1, "papershelf.generation": 1, "papershelf.passages": 1}
        return {
            doc["papershelf"]["id"]: _Paper(
                doc["papershelf"]["generation"], int(doc["papershelf"].get("passages") or 0)
            )
            for doc in self.papers.find(MANAGED, fields)
        }

    def _rows(
        self, papers: dict[str, _Paper], tokens: dict[str, int], paper_ids: list[str] | None = None
    ) -> list[_Row]:
        """The passages of the papers' current generations, in key order; new tokens get the
        next ids."""
        query: dict[str, Any] = {} if paper_ids is None else {"paper_id": {"$in": paper_ids}}
        rows = []
        for doc in self.passages.find(query, _POSTING_FIELDS):
            paper = papers.get(doc["paper_id"])
            if paper is None or paper.generation != doc["generation"] or "terms" not in doc:
                continue
            ids = [tokens.setdefault(term, len(tokens)) for term in doc["terms"]]
            rows.append(
                _Row(
                    int(doc["_id"]),
                    doc["paper_id"],
                    np.array(ids, np.int32).tobytes(),
                    np.array(doc["weights"], np.float32).tobytes(),
                    int(doc["length"]),
                )
            )
        rows.sort(key=lambda row: row.key)
        return rows

    def _read_whole(self, papers: dict[str, _Paper]) -> HeldIndex:
        tokens: dict[str, int] = {}
        rows = self._rows(papers, tokens)
        numbers: dict[str, int] = {}
        return HeldIndex(
            PostingIndex(tokens, _segment(rows, tokens)),
            None,
            None,
            papers,
            _paper_numbers(rows, numbers),
            numbers,
            (),
        )

    def _brought_forward(self, held: HeldIndex, papers: dict[str, _Paper]) -> HeldIndex | None:
        """The held index with the papers changed since read anew, or None when the whole
        library must be read again."""
        changed = [p for p, paper in papers.items() if held.papers.get(p) != paper]
        gone = {p for p, paper in held.papers.items() if papers.get(p) != paper}
        if not changed and not gone:
            return held
        index = held.index
        base_rows = len(index.base.keys)
        base_live = index.base_live if index.base_live is not None else np.ones(base_rows, bool)
        gone_numbers = [held.paper_numbers[p] for p in gone if p in held.paper_numbers]
        base_live = base_live & ~np.isin(held.row_papers[:base_rows], gone_numbers)
        kept = tuple(row for row in held.added if row.paper_id not in gone)
        removed = base_rows - int(base_live.sum())
        if not kept_apart(base_rows, len(kept) + sum(papers[p].passages for p in changed), removed):
            return None
        tokens = dict(index.tokens)
        new = self._rows(papers, tokens, changed) if changed else []
        highest = int(index.keys[-1]) if index.size else 0
        if new and new[0].key <= highest:
            return None  # a put that took its keys before others finished after them
        added = kept + tuple(new)
        if not kept_apart(base_rows, len(added), removed):
            return None  # more passages than the papers' counts said
        numbers = dict(held.paper_numbers)
        return HeldIndex(
            PostingIndex(
                tokens, index.base, _segment(added, tokens), base_live if removed else None
            ),
            None,
            None,
            papers,
            np.concatenate([held.row_papers[:base_rows], _paper_numbers(added, numbers)]),
            numbers,
            added,
        )


def _segment(rows: Sequence[_Row], tokens: dict[str, int]) -> Segment:
    return Segment.build(
        [row.key for row in rows],
        [row.token_ids for row in rows],
        [row.weights for row in rows],
        [row.length for row in rows],
        len(tokens),
    )


def _paper_numbers(rows: Sequence[_Row], numbers: dict[str, int]) -> np.ndarray:
    """Each row's paper number, numbering new papers as they come."""
    return np.array([numbers.setdefault(row.paper_id, len(numbers)) for row in rows], np.int64)
