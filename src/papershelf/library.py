"""The facade: wires settings, store and the ingestion pipeline; what the CLI and servers call."""

from __future__ import annotations

import builtins
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.core.errors import NotFound, PapershelfError
from papershelf.core.ids import arxiv_paper_id
from papershelf.core.models import Document, Hit, Paper, PaperFilter
from papershelf.core.settings import Settings
from papershelf.embeddings.base import Embedder
from papershelf.embeddings.factory import make_embedder, make_reranker, make_word_embedder
from papershelf.ingest.arxiv_ids import parse_arxiv_reference
from papershelf.ingest.results import AddResult
from papershelf.ingest.sources import Source, resolve_inputs
from papershelf.library_adopt import adopt_tutorial_records
from papershelf.search.hybrid import (
    OTHER_EMBEDDER_DENSE_WEIGHT,
    FusionSettings,
    Searcher,
    SearchMode,
)
from papershelf.search.indexing import IndexProgress, embed_missing, vector_space
from papershelf.search.lexicon import MIN_DF
from papershelf.search.reading import ReadPage, read_document
from papershelf.search.warm_up import BackgroundWarmUp
from papershelf.storage.base import Store
from papershelf.storage.factory import open_store

if TYPE_CHECKING:  # ingestion (parsers, HTTP) is imported when a paper is added, not to search
    from papershelf.ingest.http import HttpFetcher
    from papershelf.library_ingest import Ingester

log = logging.getLogger(__name__)


@dataclass
class AddReport:
    """Every source's result and every failure, in input order."""

    results: list[AddResult] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


ProgressCallback = Callable[[str, AddResult | None, str | None], None]


class Library:
    """A paper library on one store."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: Store | None = None,
        fetcher: HttpFetcher | None = None,
    ):
        self.settings = settings or Settings()
        self._store = store
        self._fetcher = fetcher
        self._embedder: Embedder | None = None
        self._embedder_made = False
        self._word_embedder: Embedder | None = None
        self._word_embedder_made = False
        self._searcher: Searcher | None = None
        # The store, embedder and searcher are made once, whichever thread asks first (a server's
        # warm-up thread or its first request).
        self._making = threading.RLock()
        self._warm_up = BackgroundWarmUp(lambda: self.searcher)

    @property
    def store(self) -> Store:
        with self._making:
            if self._store is None:
                self._store = open_store(self.settings)
                adopted = adopt_tutorial_records(self._store, self.settings.collection_name)
                if adopted:
                    self._index_adopted(adopted)
            return self._store

    @property
    def embedder(self) -> Embedder | None:
        """The dense embedder the settings name (None when `embedder` is 'none'); made on first use."""
        with self._making:
            if not self._embedder_made:
                self._embedder = make_embedder(self.settings)
                self._embedder_made = True
            return self._embedder

    @property
    def word_embedder(self) -> Embedder | None:
        """The model that carries words between the languages: the built-in one whenever dense
        search is on (embeddings/factory.make_word_embedder)."""
        with self._making:
            if not self._word_embedder_made:
                self._word_embedder = make_word_embedder(self.settings, self.embedder)
                self._word_embedder_made = True
            return self._word_embedder

    @property
    def searcher(self) -> Searcher:
        with self._making:
            if self._searcher is None:
                # The built-in embedder keeps the tuned weight; another one is stronger.
                builtin = self.embedder is self.word_embedder
                fusion = (
                    FusionSettings()
                    if builtin
                    else FusionSettings(dense_weight=OTHER_EMBEDDER_DENSE_WEIGHT)
                )
                self._searcher = Searcher(
                    self.store,
                    self.embedder,
                    fusion,
                    cache_dir=self.settings.home / "cache",
                    word_embedder=self.word_embedder,
                    reranker=make_reranker(self.settings),
                    rerank_depth=self.settings.rerank_depth,
                )
                if not builtin:
                    _warn_of_words_without_vectors(self.store, self.word_embedder)
            return self._searcher

    def start_warm_up(self) -> threading.Thread:
        """Open the library and search once in a background thread (search/warm_up.py); `close`
        stops it and waits for it."""
        return self._warm_up.start()

    def close(self) -> None:
        self._warm_up.stop_and_wait()
        self._searcher = None
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingestion -------------------------------------------------------------------------

    def plan(self, inputs: list[str]) -> tuple[list[Source], list[tuple[str, str]]]:
        """The de-duplicated sources the inputs name, and the inputs that name nothing usable."""
        resolved = resolve_inputs(inputs)
        return resolved.sources, resolved.failures

    def add(
        self,
        inputs: list[str],
        *,
        collection: str | None = None,
        progress: ProgressCallback | None = None,
        index_progress: IndexProgress | None = None,
    ) -> AddReport:
        """Ingest every input; bad inputs are reported, never fatal to the others. The new
        papers' passages are embedded at the end (`index_progress` follows that)."""
        sources, failures = self.plan(inputs)
        report = AddReport(failures=list(failures))
        for source in sources:
            result, error = self._add_one(source, collection or self.settings.collection_name)
            if result is not None:
                report.results.append(result)
            if error is not None:
                report.failures.append((source.label, error))
            if progress is not None:
                progress(source.label, result, error)
        self._index_new(report, index_progress)
        return report

    def index(
        self, progress: IndexProgress | None = None, *, paper_ids: list[str] | None = None
    ) -> int:
        """Embed the passages (of `paper_ids`, when given) that have no vector from the current
        embedder; how many were embedded. 0 when dense search is off."""
        if self.embedder is None:
            return 0
        return embed_missing(
            self.store,
            self.embedder,
            paper_ids=paper_ids,
            progress=progress,
            word_embedder=self.word_embedder,
        )

    def _index_adopted(self, paper_ids: list[str]) -> None:
        try:
            self.index(paper_ids=paper_ids)
        except PapershelfError as exc:
            log.warning("tutorial records indexed, but embedding them failed (%s)", exc)

    def _index_new(self, report: AddReport, progress: IndexProgress | None) -> None:
        changed = [r.paper.id for r in report.results if r.outcome in ("added", "replaced")]
        if not changed:
            return
        try:
            self.index(progress, paper_ids=changed)
        except PapershelfError as exc:
            # The papers are stored and searchable lexically; embedding can be retried alone.
            log.warning(
                "papers added, but embedding them failed (%s); run `papershelf reindex`", exc
            )

    def _add_one(self, source: Source, collection: str) -> tuple[AddResult | None, str | None]:
        try:
            return self._ingester().ingest(source, collection), None
        except PapershelfError as exc:
            return None, str(exc)
        except Exception as exc:  # a per-input boundary: one broken file must not stop the batch
            log.exception("unexpected error ingesting %s", source.label)
            return None, f"unexpected error ({type(exc).__name__}: {exc}); please report this file"

    def _ingester(self) -> Ingester:
        from papershelf.library_ingest import Ingester

        return Ingester(self.settings, self.store, lambda: self.fetcher)

    @property
    def fetcher(self) -> HttpFetcher:
        if self._fetcher is None:
            from papershelf.ingest.http import HttpFetcher

            self._fetcher = HttpFetcher(self.settings)
        return self._fetcher

    # -- the tutorial's export format ---------------------------------------------------------

    def import_tutorial(
        self,
        path: Path,
        *,
        collection: str | None = None,
        index_progress: IndexProgress | None = None,
    ) -> AddReport:
        """Import the tutorial's MongoDB export (extended JSON); each essay becomes a paper."""
        from papershelf.ingest.tutorial_import import documents_from_tutorial_export
        from papershelf.library_ingest import read_file

        data = read_file(path, self.settings.max_download_mb)
        ingester = self._ingester()
        collection = collection or self.settings.collection_name
        report = AddReport()
        imported = documents_from_tutorial_export(
            data, str(path), collection, lambda legacy_id: self.store.find(legacy_id=legacy_id)
        )
        for label, document in imported:
            try:
                report.results.append(ingester.store_document(label, document, collection))
            except PapershelfError as exc:
                report.failures.append((label, str(exc)))
        self._index_new(report, index_progress)
        return report

    def export_tutorial(self, filter: PaperFilter | None = None) -> bytes:
        """The library (or the filtered part) in the tutorial's export format."""
        from papershelf.ingest.tutorial_import import tutorial_export_bytes

        documents = []
        for paper in self.iter_papers(filter):
            document = self.store.get_document(paper.id)
            if document is not None:
                documents.append(document)
        return tutorial_export_bytes(documents)

    # -- reading ------------------------------------------------------------------------------

    def resolve_id(self, text: str) -> str:
        """The stored paper id a user means: an id, an arXiv id or URL, or a tutorial ObjectId."""
        text = text.strip()
        if self.store.get(text) is not None:
            return text
        ref = parse_arxiv_reference(text.removeprefix("arxiv:"))
        if ref is not None and self.store.get(arxiv_paper_id(ref.id)) is not None:
            return arxiv_paper_id(ref.id)
        legacy = self.store.find(legacy_id=text)
        if legacy is not None:
            return legacy.id
        raise NotFound(f"no paper {text!r} in the library; `papershelf list` shows the ids")

    def get(self, paper_id: str) -> Paper:
        paper = self.store.get(self.resolve_id(paper_id))
        if paper is None:
            raise NotFound(f"no paper {paper_id!r} in the library")
        return paper

    def get_document(self, paper_id: str) -> Document:
        document = self.store.get_document(self.resolve_id(paper_id))
        if document is None:
            raise NotFound(f"no paper {paper_id!r} in the library")
        return document

    def list(
        self, filter: PaperFilter | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        return self.store.list(filter, limit=limit, offset=offset)

    def count(self, filter: PaperFilter | None = None) -> int:
        return self.store.count(filter)

    def iter_papers(
        self, filter: PaperFilter | None = None, page_size: int = 200
    ) -> Iterator[Paper]:
        offset = 0
        while True:
            batch = self.store.list(filter, limit=page_size, offset=offset)
            yield from batch
            if len(batch) < page_size:
                return
            offset += page_size

    def collections(self) -> dict[str, int]:
        return self.store.collections()

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        filter: PaperFilter | None = None,
        mode: SearchMode = "hybrid",
    ) -> builtins.list[Hit]:
        """The passages that best answer the query, with citations: lexical and dense retrieval
        fused ('hybrid'), or one of them alone ('lexical', 'dense')."""
        return self.searcher.search(query, limit=limit, filter=filter, mode=mode)

    def read(
        self,
        paper_id: str,
        *,
        section: int | None = None,
        page: int | None = None,
        cursor: str | None = None,
        max_tokens: int = 3000,
    ) -> ReadPage:
        """A piece of the paper's text within max_tokens, with a cursor to the next piece."""
        document = self.get_document(paper_id)
        return read_document(
            document, section=section, page=page, cursor=cursor, max_tokens=max_tokens
        )

    def remove(self, paper_id: str) -> Paper:
        paper = self.get(paper_id)
        self.store.remove(paper.id)
        return paper


@contextmanager
def open_library(settings: Settings | None = None) -> Iterator[Library]:
    library = Library(settings)
    try:
        yield library
    finally:
        library.close()


def _warn_of_words_without_vectors(store: Store, words: Embedder | None) -> None:
    """A library another embedder indexed before its words moved to the built-in model
    (docs/retrieval-notes.md §21) has them under the passage embedder's id: say how to mend it."""
    if words is not None and store.terms_missing_vectors(vector_space(words), MIN_DF, 1):
        log.warning(
            "the lexicon's words have no vectors from %s yet, so Chinese questions reach English "
            "words through the dictionary alone: run `papershelf reindex` once",
            words.model_id,
        )
