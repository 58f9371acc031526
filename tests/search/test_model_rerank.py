"""The reranking stage of a search, over a real store with the real default embedder and a
scripted reranker whose scores the tests choose (the real llama.cpp reranker is run in
tests/embeddings/test_rerankers.py)."""

import logging
from collections.abc import Sequence

import pytest

from papershelf.core.errors import SourceUnavailable
from papershelf.search.hybrid import EXACT_MARGIN, Searcher
from papershelf.search.indexing import embed_missing
from papershelf.search.model_rerank import reorder
from papershelf.storage.sqlite import SqliteStore
from tests.search.papers import documents, overlapping_document

QUESTION = "How does batch normalization use the mini-batch statistics?"


class ScriptedReranker:
    """Scores a text by how many of `favoured` words it holds; keeps what it was asked."""

    model_id = "scripted"

    def __init__(self, *favoured: str, down: bool = False):
        self.favoured, self.down = favoured, down
        self.asked: list[tuple[str, list[str]]] = []

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        self.asked.append((query, list(texts)))
        if self.down:
            raise SourceUnavailable("the rerank endpoint is down")
        return [float(sum(word in text for word in self.favoured)) for text in texts]


def test_the_rerankers_best_passage_comes_first(indexed: SqliteStore, use_model) -> None:
    plain = Searcher(indexed, use_model).search(QUESTION, limit=5)
    assert "TPU" not in plain[0].passage.text
    reranker = ScriptedReranker("TPU")
    hits = Searcher(indexed, use_model, reranker=reranker).search(QUESTION, limit=5)
    assert "TPU" in hits[0].passage.text
    assert [hit.rank for hit in hits] == [1, 2, 3, 4, 5]
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_the_reranker_reads_the_first_candidates_as_the_embedder_sees_them(
    indexed: SqliteStore, use_model
) -> None:
    reranker = ScriptedReranker("statistics")
    Searcher(indexed, use_model, reranker=reranker, rerank_depth=7).search(QUESTION, limit=3)
    [(query, texts)] = reranker.asked
    assert query == QUESTION
    assert len(texts) == max(7, 3 + EXACT_MARGIN)
    titles = {title for title, _ in (text.split("\n", 1)[0].split(" | ", 1) for text in texts)}
    assert "Batch Normalization" in " ".join(titles)  # the paper's title leads each text


def test_depth_bounds_what_is_read_and_ties_keep_the_first_order(
    indexed: SqliteStore, use_model
) -> None:
    plain = Searcher(indexed, use_model).search(QUESTION, limit=5)
    reranker = ScriptedReranker()  # every passage scores 0
    hits = Searcher(indexed, use_model, reranker=reranker, rerank_depth=30).search(
        QUESTION, limit=5
    )
    assert [hit.passage.id for hit in hits] == [hit.passage.id for hit in plain]
    assert len(reranker.asked[0][1]) <= 30


def test_a_reranker_that_is_down_leaves_the_first_stage_order(
    indexed: SqliteStore, use_model, caplog: pytest.LogCaptureFixture
) -> None:
    plain = Searcher(indexed, use_model).search(QUESTION, limit=5)
    searcher = Searcher(indexed, use_model, reranker=ScriptedReranker(down=True))
    with caplog.at_level(logging.WARNING, logger="papershelf.search.hybrid"):
        hits = searcher.search(QUESTION, limit=5)
    assert [(h.passage.id, h.score) for h in hits] == [(h.passage.id, h.score) for h in plain]
    assert "reranking skipped" in caplog.text


def test_overlapping_passages_take_one_place_after_reranking(store: SqliteStore, use_model) -> None:
    store.put(overlapping_document())
    embed_missing(store, use_model)
    reranker = ScriptedReranker("again")
    hits = Searcher(store, use_model, reranker=reranker).search("pixel shuffle", limit=5)
    assert len(reranker.asked[0][1]) == 2
    assert [hit.passage.text for hit in hits] == ["pixel shuffle compresses tokens again"]


def test_exactly_the_depth_is_read_when_it_exceeds_the_places_asked(
    indexed: SqliteStore, use_model
) -> None:
    reranker = ScriptedReranker("statistics")
    Searcher(indexed, use_model, reranker=reranker, rerank_depth=7).search(QUESTION, limit=1)
    assert len(reranker.asked[0][1]) == 7


def test_candidates_past_the_depth_follow_in_their_first_order_at_the_lowest_score() -> None:
    passages = [p for document in documents()[:2] for p in document.passages][:5]
    first = [(passage, 10.0 - index) for index, passage in enumerate(passages)]
    reranker = ScriptedReranker(passages[2].text)  # only the third scores
    reordered = reorder(reranker, QUESTION, first, {}, depth=3)
    assert [p.id for p, _ in reordered] == [passages[i].id for i in (2, 0, 1, 3, 4)]
    assert [score for _, score in reordered] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert reranker.asked[0][1] == [f"{p.section}\n{p.text}" for p in passages[:3]]  # no title


def test_warming_up_scores_one_passage_not_a_search(indexed: SqliteStore, use_model) -> None:
    reranker = ScriptedReranker()
    Searcher(indexed, use_model, reranker=reranker).warm_up()
    assert [len(texts) for _, texts in reranker.asked] == [1]
