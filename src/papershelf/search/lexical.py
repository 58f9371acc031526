"""Lexical passage search: query analysis, candidates from the store, de-duplication, citations."""

from papershelf.core.models import Hit, Paper, PaperFilter, Passage
from papershelf.core.textindex import query_terms
from papershelf.storage.base import Store


def search_passages(
    store: Store, query: str, *, limit: int = 5, filter: PaperFilter | None = None
) -> list[Hit]:
    """The best passages for a query, at most one per overlapping span, each with its citation."""
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    candidates = store.search_lexical(terms, limit=max(limit * 4, 20), filter=filter)
    kept = _drop_overlaps(candidates)[:limit]
    papers: dict[str, Paper | None] = {}
    hits = []
    for passage, score in kept:
        if passage.paper_id not in papers:
            papers[passage.paper_id] = store.get(passage.paper_id)
        paper = papers[passage.paper_id]
        if paper is not None:
            hits.append(Hit.build(passage, paper, score=score, rank=len(hits) + 1))
    return hits


def _drop_overlaps(candidates: list[tuple[Passage, float]]) -> list[tuple[Passage, float]]:
    """Keep the better of two passages whose text spans overlap (consecutive chunks share a tail)."""
    kept: list[tuple[Passage, float]] = []
    for passage, score in candidates:
        if not any(_overlap(passage, other) for other, _ in kept):
            kept.append((passage, score))
    return kept


def _overlap(a: Passage, b: Passage) -> bool:
    if a.paper_id != b.paper_id:
        return False
    shared = min(a.char_end, b.char_end) - max(a.char_start, b.char_start)
    return shared > 0.5 * min(a.char_end - a.char_start, b.char_end - b.char_start)
