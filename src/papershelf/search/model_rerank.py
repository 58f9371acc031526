"""The optional last stage: a reranking model (embeddings/reranker.py, PAPERSHELF_RERANKER) reads
the question with each of the search's first candidates, shown as the embedder sees them (title,
heading, text), and orders them by its scores. Candidates past `depth` follow in their first
order, scored as the lowest of the read ones."""

from papershelf.core.models import Passage
from papershelf.embeddings.reranker import Reranker
from papershelf.search.indexing import shown_text

Scored = list[tuple[Passage, float]]


def reorder(
    reranker: Reranker, question: str, scored: Scored, titles: dict[str, str], depth: int
) -> Scored:
    head, rest = scored[:depth], scored[depth:]
    if not head:
        return list(scored)
    texts = [shown_text(titles.get(p.paper_id, ""), p.section, p.text) for p, _ in head]
    scores = reranker.score(question, texts)
    order = sorted(range(len(head)), key=lambda index: -scores[index])  # ties keep their order
    floor = min(scores)
    return [(head[index][0], scores[index]) for index in order] + [(p, floor) for p, _ in rest]
