"""Lexical search in the MongoDB store: FTS5's bm25 over the in-memory postings of the current
passages (mongo_postings.py), the way the SQLite store scores (sqlite_search.py).

Each passage document keeps its distinct index tokens in `terms`, their column-weighted counts in
`weights` and its token count in `length`; the index holds them, brought up to date when the
store's version moves. A warm search costs two round trips: the version, and the winners' texts.
Which terms are scored and which passages are candidates is the rule both stores share
(shared.scored_and_candidate_terms), so both rank the same passages the same way.

A query term FTS5 splits into several tokens is a phrase there: it matches only where its tokens
stand next to each other, and its IDF counts the passages holding it so. `terms` keeps no positions,
so the passages holding all of a phrase's tokens are re-tokenized to find its instances: the same
counts, IDF and scores as FTS5. The counts are kept by passage key (a key's text never changes),
so after a write only the passages new to the phrase are read. Their papers' titles (the title is
indexed with every passage) come from `HeldTitles`, which the search's re-ranking reads too.
"""

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from papershelf.core.models import PaperFilter, Passage
from papershelf.storage.bm25_analysis import phrase_counts, query_phrases
from papershelf.storage.mongo_docs import PASSAGE_PROJECTION, filter_query, passage_from
from papershelf.storage.mongo_layout import ANALYZER_ID, Collections
from papershelf.storage.mongo_postings import HeldIndex, HeldPostings
from papershelf.storage.mongo_vectors import LIBRARY_FIELD, VERSION_ID, read_version, version_of
from papershelf.storage.postings_index import PostingIndex, Postings, ranked

PHRASES_KEPT = 256
TITLES_KEPT = 100_000


class HeldTitles:
    """Paper titles for the search's re-ranking, which asks for those of every candidate paper
    (~50-100). A paper document carries the paper's whole text, so reading them costs a server
    more than the small version document (on SecantusDB ~20 against 0.5 ms for 60 papers); the
    titles read are kept until the store's version moves, which every put and remove moves."""

    def __init__(self, collections: Collections):
        self.papers, self.meta = collections.papers, collections.meta
        self._version: str | None = None
        self._titles: dict[str, str | None] = {}  # None: not stored
        self._lock = threading.Lock()

    def read(self, paper_ids: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(paper_ids))
        if not wanted:
            return {}
        # Read first, so a write meanwhile only costs one more read of the titles.
        version = read_version(self.meta)
        with self._lock:
            if version != self._version or len(self._titles) > TITLES_KEPT:
                self._version, self._titles = version, {}
            known = {
                paper_id: self._titles[paper_id] for paper_id in wanted if paper_id in self._titles
            }
        missing = [paper_id for paper_id in wanted if paper_id not in known]
        if missing:
            found: dict[str, str | None] = dict.fromkeys(missing)
            for doc in self.papers.find(
                {"papershelf.id": {"$in": missing}},
                {"papershelf.id": 1, "papershelf.paper.title": 1},
            ):
                found[doc["papershelf"]["id"]] = doc["papershelf"]["paper"]["title"]
            known.update(found)
            with self._lock:
                if self._version == version:
                    self._titles.update(found)
        return {paper_id: title for paper_id in wanted if (title := known[paper_id]) is not None}


class LexicalIndex:
    """The lexical side of the Mongo store's collections."""

    def __init__(self, collections: Collections, titles: HeldTitles):
        self.papers, self.passages = collections.papers, collections.passages
        self.meta, self.titles = collections.meta, titles
        self.postings = HeldPostings(collections)
        self._admitted: dict[tuple[str, str], dict[str, Any]] = {}
        self._phrases: dict[tuple[str, ...], dict[int, float]] = {}  # phrase -> key -> count
        self._lock = threading.Lock()

    def search(
        self, terms: list[str], limit: int, filter: PaperFilter | None
    ) -> list[tuple[Passage, float]]:
        phrases = query_phrases(terms)
        if not phrases or limit <= 0:
            return []
        version, held = self._current()
        index = held.index
        if not index.passages:
            return []
        postings: dict[str, Postings] = {
            term: (
                index.token_postings(tokens[0])
                if len(tokens) == 1
                else index.postings_of(self._phrase_hits(index, tokens))
            )
            for term, tokens in phrases
        }
        admitted = None
        if filter is not None and filter.model_dump(exclude_none=True):
            admitted = held.rows_of_papers(self._admitted_papers(filter, version))
        winners = ranked(index, postings, limit, admitted)
        texts = {
            doc["_id"]: doc
            for doc in self.passages.find(
                {"_id": {"$in": [key for key, _ in winners]}}, PASSAGE_PROJECTION
            )
        }
        return [(passage_from(texts[key]), -rank) for key, rank in winners if key in texts]

    def indexed_tokens(self, tokens: Sequence[str]) -> set[str]:
        if not tokens:
            return set()
        index = self._current()[1].index
        return {token for token in tokens if index.holds(token)}

    def _current(self) -> tuple[str, HeldIndex]:
        """The store's version and the index of its current passages."""
        # One round trip: the version the caches are keyed by, and the analyser's last run.
        meta = {
            doc["_id"]: doc for doc in self.meta.find({"_id": {"$in": [VERSION_ID, ANALYZER_ID]}})
        }
        stored = meta.get(VERSION_ID)
        analyser = meta.get(ANALYZER_ID, {})
        lineage = (
            (stored or {}).get(LIBRARY_FIELD),
            analyser.get("value"),
            analyser.get("runs", 0),
        )
        version = version_of(stored)
        return version, self.postings.current(version, lineage)

    def _phrase_hits(self, index: PostingIndex, tokens: tuple[str, ...]) -> dict[int, float]:
        """Passage key -> the phrase's weighted count, for every passage of the index holding it.
        The index names the passages holding all of its tokens; only those the phrase has not
        met yet are read, since a key's text and title never change (keys are never reused)."""
        rows = index.token_postings(tokens[0])[0]
        for token in tokens[1:]:
            rows = np.intersect1d(rows, index.token_postings(token)[0], assume_unique=True)
        keys = index.keys[rows].tolist()
        with self._lock:
            known = dict(self._phrases.get(tokens, {}))
        unread = [key for key in keys if key not in known]
        if unread:
            known.update(self._read_phrase_counts(unread, tokens))
            with self._lock:
                if len(self._phrases) >= PHRASES_KEPT and tokens not in self._phrases:
                    self._phrases = {}
                self._phrases[tokens] = known
        return {key: known[key] for key in keys if known.get(key)}

    def _read_phrase_counts(self, keys: list[int], tokens: tuple[str, ...]) -> dict[int, float]:
        """The phrase's count in each of these passages that is still stored (0 where its tokens
        do not stand side by side)."""
        docs = list(
            self.passages.find({"_id": {"$in": keys}}, {"paper_id": 1, "section": 1, "text": 1})
        )
        titles = self.titles.read([doc["paper_id"] for doc in docs])
        docs = [doc for doc in docs if doc["paper_id"] in titles]
        counts = phrase_counts(
            ((titles[doc["paper_id"]], doc["section"], doc["text"]) for doc in docs), tokens
        )
        return {doc["_id"]: n for doc, n in zip(docs, counts, strict=True)}

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
