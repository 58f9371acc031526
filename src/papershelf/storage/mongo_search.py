"""Lexical search in the MongoDB store: candidates through an index, FTS5's bm25 in Python.

Each passage document keeps its distinct index tokens in `terms` (a multikey index), their
column-weighted counts in `weights` and its token count in `length`; the `tokens` collection keeps
each token's document frequency and `meta` the passage and token totals. As in the SQLite store
(sqlite_search.py), the rarest terms are taken first while the passages they match stay within a
budget; only passages holding one of them are candidates, which loses nothing BM25 would rank above a
rare-term match sharing its common terms. Candidates are read term by term, rarest first, and
reading stops once no unread passage could reach the current top `limit` (each term adds less than
idf * (k1 + 1) to a score): the same top passages as scoring them all, reading far fewer; each read
returns only the weights of the query's tokens, picked out by the server. Where the server has
text indexes, `$text` over the same tokens picks the candidates instead (a superset, narrowed to
exact token matches); SecantusDB refuses text indexes, so only the `terms` path runs in the tests.

A query term FTS5 splits into several tokens is a phrase there: it matches only where its tokens
stand next to each other, and its IDF counts the passages holding it so. `terms` keeps no positions,
so the passages holding all of a phrase's tokens are re-tokenized to find its instances (cached
until the store's version moves): the same counts, IDF and scores as FTS5.
"""

import threading
from typing import Any

from papershelf.core.models import PaperFilter, Passage
from papershelf.storage.bm25_analysis import K1, bm25, idf, phrase_counts, query_phrases
from papershelf.storage.mongo_docs import PASSAGE_PROJECTION, filter_query, passage_from
from papershelf.storage.mongo_layout import STATS_ID, Collections
from papershelf.storage.mongo_vectors import VERSION_ID
from papershelf.storage.shared import scored_and_candidate_terms

Phrase = tuple[str, tuple[str, ...]]
PHRASES_KEPT = 256


class LexicalIndex:
    """The lexical side of the Mongo store's collections."""

    def __init__(self, collections: Collections, text_index: bool):
        self.papers, self.passages = collections.papers, collections.passages
        self.tokens, self.meta = collections.tokens, collections.meta
        self.text_index = text_index
        self._admitted: dict[tuple[str, str], dict[str, Any]] = {}
        self._phrases: dict[tuple[str, tuple[str, ...]], dict[int, float]] = {}
        self._lock = threading.Lock()

    def search(
        self, terms: list[str], limit: int, filter: PaperFilter | None
    ) -> list[tuple[Passage, float]]:
        phrases = query_phrases(terms)
        if not phrases or limit <= 0:
            return []
        # One round trip: BM25's totals and the version the caches are keyed by.
        meta = {doc["_id"]: doc for doc in self.meta.find({"_id": {"$in": [STATS_ID, VERSION_ID]}})}
        stats = meta.get(STATS_ID, {})
        rows, total_tokens = int(stats.get("passages", 0)), int(stats.get("tokens", 0))
        if rows <= 0:
            return []
        version = str(meta.get(VERSION_ID, {}).get("value", 0))
        hits = {
            term: self._phrase_hits(tokens, version) for term, tokens in phrases if len(tokens) > 1
        }
        single = self.tokens.get(tokens[0] for term, tokens in phrases if term not in hits)
        frequency = {
            term: len(hits[term]) if term in hits else single.get(tokens[0], 0)
            for term, tokens in phrases
        }
        ordered, fetched = self._split(phrases, frequency, rows)
        idfs = [idf(rows, frequency[term]) for term, _ in ordered]
        bounds = {
            term: weight * (K1 + 1.0) for (term, _), weight in zip(ordered, idfs, strict=True)
        }
        words = list(dict.fromkeys(tokens[0] for term, tokens in ordered if term not in hits))
        admitted = self._admitted_papers(filter, version)
        avgdl = total_tokens / rows
        scores: dict[int, float] = {}
        read_tokens: set[str] = set()
        fetched.sort(key=lambda phrase: frequency[phrase[0]])
        unread = sum(bounds.values())  # the most a passage read by no later term can score
        for term, tokens in fetched:
            if len(scores) >= limit and unread <= sorted(scores.values())[-limit]:
                break
            unread -= bounds[term]
            if read_tokens.intersection(tokens):
                continue  # every passage holding this term was read already
            if term in hits:
                match: dict[str, Any] = {"_id": {"$in": list(hits[term])}}
            else:
                read_tokens.add(tokens[0])
                match = self._token_match(tokens[0])
            for doc in self._candidates(match, words):
                if doc["_id"] in scores or admitted.get(doc["paper_id"]) != doc["generation"]:
                    continue  # scored already, another generation, or a filtered-out paper
                weights = dict(zip(words, doc["w"], strict=True))
                if term not in hits and not weights[tokens[0]]:
                    continue  # a `$text` match without the exact token
                frequencies = [
                    hits[t].get(doc["_id"], 0.0) if t in hits else weights[toks[0]]
                    for t, toks in ordered
                ]
                if any(frequencies):
                    scores[doc["_id"]] = bm25(frequencies, idfs, doc["length"], avgdl)
        winners = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        texts = {
            doc["_id"]: doc
            for doc in self.passages.find(
                {"_id": {"$in": [key for key, _ in winners]}}, PASSAGE_PROJECTION
            )
        }
        return [(passage_from(texts[key]), score) for key, score in winners if key in texts]

    @staticmethod
    def _split(
        phrases: list[Phrase], frequency: dict[str, int], rows: int
    ) -> tuple[list[Phrase], list[Phrase]]:
        """The phrases in the order FTS5 would score them, and those whose passages are the
        candidates (shared.scored_and_candidate_terms, the rule of both stores)."""
        scored, candidates = scored_and_candidate_terms(frequency, rows)
        tokens_of = dict(phrases)
        return [(t, tokens_of[t]) for t in scored], [(t, tokens_of[t]) for t in candidates]

    def _token_match(self, token: str) -> dict[str, Any]:
        if self.text_index:
            return {"$text": {"$search": token}}  # a superset: narrowed to exact tokens after
        return {"terms": token}

    def _candidates(self, match: dict[str, Any], words: list[str]) -> list[dict[str, Any]]:
        """The matching passages with only what scoring needs: the weights of the query's
        single-token terms (`w`, in the order of `words`), not every term a passage holds."""
        weight_of = {
            "$let": {
                "vars": {"at": {"$indexOfArray": ["$terms", "$$word"]}},
                "in": {"$cond": [{"$gte": ["$$at", 0]}, {"$arrayElemAt": ["$weights", "$$at"]}, 0]},
            }
        }
        project = {
            "paper_id": 1,
            "generation": 1,
            "length": 1,
            "w": {"$map": {"input": words, "as": "word", "in": weight_of}},
        }
        return list(self.passages.aggregate([{"$match": match}, {"$project": project}]))

    def _phrase_hits(self, tokens: tuple[str, ...], version: str) -> dict[int, float]:
        """Passage key -> the phrase's weighted count, for every current passage holding it."""
        key = (version, tokens)
        with self._lock:
            found = self._phrases.get(key)
        if found is not None:
            return found
        current = self._admitted_papers(None, version)
        docs = [
            doc
            for doc in self.passages.find(
                {"terms": {"$all": list(tokens)}},
                {"paper_id": 1, "generation": 1, "section": 1, "text": 1},
            )
            if current.get(doc["paper_id"]) == doc["generation"]
        ]
        titles = {
            paper["papershelf"]["id"]: paper["papershelf"]["paper"]["title"]
            for paper in self.papers.find(
                {"papershelf.id": {"$in": sorted({doc["paper_id"] for doc in docs})}},
                {"papershelf.id": 1, "papershelf.paper.title": 1},
            )
        }
        docs = [doc for doc in docs if doc["paper_id"] in titles]
        counts = phrase_counts(
            ((titles[doc["paper_id"]], doc["section"], doc["text"]) for doc in docs), tokens
        )
        found = {doc["_id"]: n for doc, n in zip(docs, counts, strict=True) if n > 0}
        with self._lock:
            if any(cached != version for cached, _ in self._phrases) or (
                len(self._phrases) > PHRASES_KEPT
            ):
                self._phrases = {}
            self._phrases[key] = found
        return found

    def _admitted_papers(self, filter: PaperFilter | None, version: str) -> dict[str, Any]:
        """Paper id -> current passage generation of the papers the filter admits; kept until the
        store's version moves (read first, so a change meanwhile only causes one more reload)."""
        key = (version, "" if filter is None else filter.model_dump_json())
        with self._lock:
            found = self._admitted.get(key)
        if found is not None:
            return found
        found = {
            doc["papershelf"]["id"]: doc["papershelf"]["generation"]
            for doc in self.papers.find(
                filter_query(filter), {"papershelf.id": 1, "papershelf.generation": 1}
            )
        }
        with self._lock:
            if any(cached != version for cached, _ in self._admitted) or len(self._admitted) > 64:
                self._admitted = {}
            self._admitted[key] = found
        return found
