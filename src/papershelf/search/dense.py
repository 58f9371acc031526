"""Dense retrieval: the store's passage vectors held as one in-memory float32 matrix, searched by
brute-force dot product (exact up to 20,000 passages; past that, over a shortlist the library's
principal directions choose: dense_shortlist.py).

The matrix is loaded once and reloaded only when the store's version changes, so a search costs
one query embedding and one matrix-vector product (two smaller ones past 20,000 passages), never a
pass over the corpus. Past ~10^6 passages an approximate index (HNSW, IVF) would replace the
product; the interface stays.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from papershelf.core.models import PaperFilter
from papershelf.search.dense_shortlist import Projection, project, shortlist
from papershelf.storage.base import Store, VectorSet


@dataclass(frozen=True)
class _Loaded:
    vectors: VectorSet
    # Row ranges of each paper: keys are given per paper in one block, so its rows are contiguous.
    rows_of_paper: dict[str, list[tuple[int, int]]]
    projection: Projection | None  # None: the matrix is small enough for the exact product alone


def _paper_rows(paper_ids: np.ndarray) -> dict[str, list[tuple[int, int]]]:
    rows: dict[str, list[tuple[int, int]]] = {}
    start = 0
    for i in range(1, len(paper_ids) + 1):
        if i == len(paper_ids) or paper_ids[i] != paper_ids[start]:
            rows.setdefault(str(paper_ids[start]), []).append((start, i))
            start = i
    return rows


class DenseIndex:
    """The vectors of one embedder in one store, cached and refreshed on change."""

    def __init__(self, store: Store, embedder_id: str):
        self.store = store
        self.embedder_id = embedder_id
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Loaded:
        with self._lock:
            known = self._loaded.vectors if self._loaded is not None else None
            fresh = self.store.vectors(
                self.embedder_id,
                unless_version=known.version if known is not None else None,
                since=known,
            )
            if fresh is not None:
                earlier = self._loaded.projection if self._loaded is not None else None
                projection = project(fresh.matrix, fresh.keys, earlier, fresh.carried)
                self._loaded = _Loaded(fresh, _paper_rows(fresh.paper_ids), projection)
            assert self._loaded is not None
            return self._loaded

    def __len__(self) -> int:
        return len(self._current().vectors.keys)

    def search(
        self, query_vector: np.ndarray, limit: int, paper_ids: Sequence[str] | None = None
    ) -> list[tuple[int, float]]:
        """(passage key, cosine) of the `limit` nearest passages, best first; only passages of
        `paper_ids` when given (those are scored exactly, however many)."""
        loaded = self._current()
        matrix, keys = loaded.vectors.matrix, loaded.vectors.keys
        if limit <= 0 or len(keys) == 0 or matrix.shape[1] != len(query_vector):
            return []
        rows: np.ndarray | None = None
        if paper_ids is not None:
            spans = [span for pid in paper_ids for span in loaded.rows_of_paper.get(pid, [])]
            if not spans:
                return []
            rows = np.concatenate([np.arange(a, b) for a, b in spans])
            scores = matrix[rows] @ query_vector
        else:
            if loaded.projection is not None:
                rows = shortlist(loaded.projection, query_vector, limit)
            scores = matrix @ query_vector if rows is None else matrix[rows] @ query_vector
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        chosen = top if rows is None else rows[top]
        return [(int(keys[i]), float(scores[j])) for i, j in zip(chosen, top, strict=True)]


def allowed_papers(store: Store, filter: PaperFilter | None) -> list[str] | None:
    """The papers a filter admits, or None for all of them (no filter)."""
    if filter is None:
        return None
    fields = filter.model_dump(exclude_none=True)
    if not fields:
        return None
    if set(fields) == {"paper_ids"}:
        return list(filter.paper_ids or [])
    return [paper.id for paper in store.list(filter, limit=store.count(filter))]
