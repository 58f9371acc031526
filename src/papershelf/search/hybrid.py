"""Hybrid passage search: lexical (BM25 over FTS5) and dense candidates, fused, de-duplicated,
cited. Lexical finds exact names and numbers; the dense multilingual model finds paraphrases and
bridges languages (a Chinese question, English evidence).
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from papershelf.core.errors import InputError, SourceUnavailable
from papershelf.core.models import Hit, Paper, PaperFilter, Passage
from papershelf.embeddings.base import Embedder
from papershelf.embeddings.reranker import Reranker
from papershelf.search.chinese_renderings import ChineseRenderings, chinese_terms
from papershelf.search.concepts import Concepts, Translation, concepts
from papershelf.search.dense import DenseIndex, allowed_papers
from papershelf.search.dictionary import load_dictionary
from papershelf.search.fusion import RRF_K, FusionMethod, Ranked, fuse
from papershelf.search.indexing import vector_space
from papershelf.search.lexicon import Lexicon, translated_words
from papershelf.search.model_rerank import reorder
from papershelf.search.overlaps import drop_overlaps, places_read
from papershelf.search.query import Query, analyse, verbatim
from papershelf.search.rerank import rerank
from papershelf.storage.base import Store

log = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "lexical", "dense"]
Scored = list[tuple[Passage, float]]
# Places past `limit` the re-ranking scores exactly, for the overlapping passages dropped after it
# (overlaps.py); the rest of the candidates cannot reach them (rerank.with_concepts). 3, 5 and 10
# gave the results of scoring all in 632 of 632 eval searches; 5 scores ~13 of ~64 candidates.
EXACT_MARGIN = 5
MODES: tuple[str, ...] = ("hybrid", "lexical", "dense")
# Searched once by `Searcher.warm_up`: an English question (it loads the dictionary read
# backwards when the library holds Chinese text) and a Chinese one (the lexicon, the dictionary).
WARM_UP_QUESTIONS = ("How was the model trained and evaluated?", "模型是怎样训练和评估的？")
# The dense list's weight for a passage embedder other than the built-in one. Measured with
# EmbeddingGemma-300M (docs/retrieval-notes.md §21): dev R@5 0.917 at 0.3, 0.938 at 0.6, 1 and
# 1.5; a model that strong deserves the lexical list's vote.
OTHER_EMBEDDER_DENSE_WEIGHT = 1.0


@dataclass(frozen=True)
class FusionSettings:
    """How candidates are gathered and combined. Measured on the eval set (docs/retrieval-notes.md):
    reciprocal-rank fusion with the dense list at 0.3 of the lexical one; at equal weight the
    weaker dense list pushes good lexical hits out of the top 5."""

    method: FusionMethod = "rrf"
    rrf_k: int = RRF_K
    candidates: int = 50  # from each retriever
    lexical_weight: float = 1.0
    dense_weight: float = 0.3
    # Carry a Chinese question's words over to the English words of the corpus (lexicon.py).
    translate: bool = True
    # Carry an English question's words over to the Chinese words of the library's Chinese
    # texts (chinese_renderings.py): the dictionary read backwards, the embedder choosing. Needs
    # `translate` and `dictionary` on.
    to_chinese: bool = True
    # Take Chinese words the bilingual dictionary and the glossary know through them
    # (dictionary.py) before the embedder's nearest corpus words; with no embedder, through them
    # alone.
    dictionary: bool = True
    # rerank.py: a passage quoting at least half of a Chinese question's words (or a "quoted
    # phrase") verbatim gets up to this factor, so a Chinese passage holding the exact term is
    # not outvoted by English passages that match its loose translations (1: off; dev R@5
    # unchanged at 2 and 4, while 像素重排 goes from absent to the top 2).
    verbatim_weight: float = 2.0
    # rerank.py: boost the passages of the papers the candidates agree on (0: off; dev R@10
    # +1 question at 0.5, R@1/R@5 unchanged) and scale reference-list passages (1: off; dev R@5
    # 0.77 -> 0.79 at 0.5).
    paper_weight: float = 0.5
    bibliography_weight: float = 0.5
    # rerank.py: a passage holding all of the question's concepts (concepts.py) has its score
    # multiplied by 1 + this (0: off). With the glossary, R@5 all 0.746 -> 0.772, dev 0.812 ->
    # 0.854; weights 0.5-2 within two dev questions of each other.
    concept_weight: float = 1.0
    # rerank.py: a passage's score times 1 + this x the share of the question's concepts its
    # paper's title holds (0: off). Measured in docs/retrieval-notes.md §13: dev R@5 0.877 ->
    # 0.892 at 1 and 2 (2 loses a dev question 1 does not), 0.877 at 0.3 and 0.5.
    title_weight: float = 1.0


class Searcher:
    """Searches one store with one embedder (or lexically only, when there is none)."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None,
        fusion: FusionSettings | None = None,
        *,
        cache_dir: Path | None = None,
        word_embedder: Embedder | None = None,
        reranker: Reranker | None = None,
        rerank_depth: int = 20,
    ):
        """`cache_dir`: where the parsed dictionary is kept between processes (none: parsed in
        every process). `word_embedder`: the model that carries words between the languages
        (lexicon.py, chinese_renderings.py); default `embedder`. Its thresholds were tuned for
        the built-in model, which is why a library searching passages with another one keeps
        the built-in model for words (docs/retrieval-notes.md §21). `reranker`: a reranking model
        that orders the first `rerank_depth` candidates of every search (model_rerank.py)."""
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self.fusion = fusion or FusionSettings()
        self._load_dictionary = partial(load_dictionary, cache_dir)
        self._dense: DenseIndex | None = None
        self._lexicon: Lexicon | None = None
        self._warned = False
        words = (word_embedder or embedder) if embedder is not None else None
        self._renderings = ChineseRenderings(store, words, self._load_dictionary)
        if embedder is not None and words is not None:
            self._dense = DenseIndex(store, vector_space(embedder))
            self._lexicon = Lexicon(
                store,
                words,
                vector_space(words),
                self._load_dictionary if self.fusion.dictionary else None,
            )

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        filter: PaperFilter | None = None,
        mode: SearchMode = "hybrid",
        use_reranker: bool = True,
    ) -> list[Hit]:
        """The best `limit` passages for `query`, in every `mode` ordered by the reranker when
        there is one (`use_reranker` False: by the first stage alone)."""
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        analysed = analyse(query)
        if limit <= 0 or not (analysed.terms or analysed.text):
            return []
        lists: list[Ranked] = []
        passages: dict[str, Passage] = {}
        asked: Concepts | None = None
        if mode in ("hybrid", "lexical"):
            translations = self._translations(analysed)
            asked = concepts(analysed, translations)
            lists.append(self._lexical(analysed, translations, filter, passages))
        if mode in ("hybrid", "dense"):
            if self._dense is None:
                if mode == "dense":
                    raise InputError(
                        "dense search needs an embedder: set PAPERSHELF_EMBEDDER (it is 'none')"
                    )
            elif mode == "dense":
                lists.append(self._dense_candidates(analysed, filter, passages))
            else:
                try:
                    lists.append(self._dense_candidates(analysed, filter, passages))
                except SourceUnavailable as exc:  # a remote embedder is down: keep lexical hits
                    log.warning("dense search skipped, lexical results only: %s", exc)
        fused = (
            fuse(lists, self.fusion.method, self.fusion.rrf_k) if len(lists) > 1 else _single(lists)
        )
        candidates = [(passages[str(key)], score) for key, score in fused]
        quoted = verbatim(analysed)
        titles = self._titles(candidates) if asked is not None and asked.items else {}

        def ranked(exact_depth: int | None) -> Scored:
            return rerank(
                candidates,
                paper_weight=self.fusion.paper_weight,
                bibliography_weight=self.fusion.bibliography_weight,
                verbatim=quoted,
                verbatim_weight=self.fusion.verbatim_weight,
                concepts=asked,
                concept_weight=self.fusion.concept_weight,
                exact_depth=exact_depth,
                titles=titles,
                title_weight=self.fusion.title_weight,
            )

        if self.reranker is not None and use_reranker:
            return self._hits(self._reordered(query, ranked, limit))
        return self._hits(first_places(ranked, limit))

    def warm_up(self, stop: threading.Event | None = None) -> float:
        """Search WARM_UP_QUESTIONS once, so the embedder's model, the indexes and the
        dictionaries a first search loads are loaded, and have the reranker score one passage
        (not a search's worth: seconds each on a CPU, or a paid endpoint's calls); the seconds it
        took. Stops before a step once `stop` is set. Never raises (a server runs it in the
        background): a failure is logged, and the first real search meets it again."""
        started = time.perf_counter()
        try:
            for question in WARM_UP_QUESTIONS:
                if stop is not None and stop.is_set():
                    break
                self.search(question, limit=1, use_reranker=False)
            else:
                if self.reranker is not None and not (stop is not None and stop.is_set()):
                    self.reranker.score(WARM_UP_QUESTIONS[0], [WARM_UP_QUESTIONS[1]])
                log.info("search warmed up in %.2f s", time.perf_counter() - started)
        except Exception as exc:  # whatever it is, the first real search reports it
            log.warning("search warm-up stopped: %s", exc)
        return time.perf_counter() - started

    def _translations(self, query: Query) -> list[Translation]:
        """A Chinese question's words with their English corpus words (lexicon.py), or with
        their dictionary words when there is no embedder; an English question's words with the
        Chinese words of the library's Chinese texts (chinese_renderings.py)."""
        if not self.fusion.translate:
            return []
        translate: Callable[[], list[Translation]]
        if query.language == "en":
            if not (self.fusion.to_chinese and self.fusion.dictionary):
                return []
            translate = partial(self._renderings.translations, query)
        elif self._lexicon is None:
            words = self._load_dictionary() if self.fusion.dictionary else None
            return words.translations(query.text) if words is not None else []
        else:
            translate = partial(self._lexicon.translations, query.text)
        try:  # a remote embedder may be down: search on without the translations
            return translate()
        except SourceUnavailable as exc:
            log.warning("query translation skipped: %s", exc)
            return []

    def _lexical(
        self,
        query: Query,
        translations: list[Translation],
        filter: PaperFilter | None,
        passages: dict[str, Passage],
    ) -> Ranked:
        terms = list(query.terms)
        added = (
            chinese_terms(translations)
            if query.language == "en"
            else translated_words(translations)
        )
        terms += [t for t in added if t not in terms]
        if not terms:
            return Ranked([])
        found = self.store.search_lexical(terms, limit=self.fusion.candidates, filter=filter)
        for passage, _ in found:
            passages[passage.id] = passage
        return Ranked([(p.id, score) for p, score in found], self.fusion.lexical_weight)

    def _dense_candidates(
        self, query: Query, filter: PaperFilter | None, passages: dict[str, Passage]
    ) -> Ranked:
        assert self._dense is not None and self.embedder is not None
        if not query.text:
            return Ranked([])
        scope = allowed_papers(self.store, filter)
        vector = self.embedder.embed_query(query.text)
        nearest = self._dense.search(vector, self.fusion.candidates, scope)
        if not nearest and not self._warned and len(self._dense) == 0:
            self._warned = True
            log.warning("no passage has a vector yet: run `papershelf reindex` for dense search")
        by_key = self.store.get_passages([key for key, _ in nearest])
        items = []
        for key, score in nearest:
            passage = by_key.get(key)
            if passage is not None:
                passages.setdefault(passage.id, passage)
                items.append((passage.id, score))
        return Ranked(items, self.fusion.dense_weight)

    def _reordered(self, query: str, ranked: Callable[[int | None], Scored], limit: int) -> Scored:
        """The first places once the reranker has ordered the first `rerank_depth` candidates
        (at least `limit` + EXACT_MARGIN); the first stage's when the reranker is unreachable.
        Every candidate is scored exactly first (milliseconds beside the reranker), so those
        past the depth, reached when overlaps are dropped, follow in their exact order."""
        assert self.reranker is not None
        depth = max(self.rerank_depth, limit + EXACT_MARGIN)
        first = ranked(None)
        papers = list(dict.fromkeys(p.paper_id for p, _ in first[:depth]))
        titles = self.store.titles(papers) if papers else {}
        try:
            reordered = reorder(self.reranker, query, first, titles, depth)
        except SourceUnavailable as exc:
            log.warning("reranking skipped, first-stage order kept: %s", exc)
            return drop_overlaps(first, limit)
        return drop_overlaps(reordered, limit)

    def _titles(self, candidates: Sequence[tuple[Passage, float]]) -> dict[str, str]:
        if not (self.fusion.title_weight and candidates):
            return {}
        return self.store.titles(list(dict.fromkeys(p.paper_id for p, _ in candidates)))

    def _hits(self, ranked: Sequence[tuple[Passage, float]]) -> list[Hit]:
        """The passages with their papers, read in one request (a paper removed meanwhile drops
        its passages)."""
        wanted = list(dict.fromkeys(passage.paper_id for passage, _ in ranked))
        papers: dict[str, Paper] = {}
        if wanted:
            found = self.store.list(PaperFilter(paper_ids=wanted), limit=len(wanted))
            papers = {paper.id: paper for paper in found}
        hits: list[Hit] = []
        for passage, score in ranked:
            paper = papers.get(passage.paper_id)
            if paper is not None:
                hits.append(Hit.build(passage, paper, score=score, rank=len(hits) + 1))
        return hits


def first_places(ranked: Callable[[int | None], Scored], limit: int) -> Scored:
    """The first `limit` passages of `ranked` that do not overlap a better one. `ranked(n)` scores
    its first n places exactly and the rest from below (rerank.with_concepts); `ranked(None)`
    scores every place. When the overlaps dropped reach past the exact places, every candidate is
    scored."""
    exact = limit + EXACT_MARGIN
    found = ranked(exact)
    kept = drop_overlaps(found, limit)
    if places_read(found, kept, limit) > exact:
        kept = drop_overlaps(ranked(None), limit)
    return kept


def _single(lists: Sequence[Ranked]) -> list[tuple[object, float]]:
    return list(lists[0].items) if lists else []
