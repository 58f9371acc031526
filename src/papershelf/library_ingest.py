"""Ingesting one source into a store: fetch or read it, parse it, and store it unless the
library already holds the same content or a newer version (what `Library.add` does per input)."""

from collections.abc import Callable
from pathlib import Path

from papershelf.core.errors import InputError
from papershelf.core.ids import arxiv_paper_id, sha256_bytes
from papershelf.core.models import Document, Paper
from papershelf.core.settings import Settings
from papershelf.ingest.arxiv import ArxivClient
from papershelf.ingest.http import HttpFetcher
from papershelf.ingest.pipeline import Enricher, document_from_bytes
from papershelf.ingest.results import AddResult, Outcome
from papershelf.ingest.sources import Source
from papershelf.storage.base import Store


class Ingester:
    """Stores what one source holds; the caller owns the store and the fetcher, which is made
    only for a source that is fetched."""

    def __init__(self, settings: Settings, store: Store, fetcher: Callable[[], HttpFetcher]):
        self.settings = settings
        self.store = store
        self._fetcher = fetcher

    def ingest(self, source: Source, collection: str) -> AddResult:
        """Fetch or read the source, parse it and store it unless an equal or newer copy is stored."""
        if source.kind == "arxiv":
            return self._ingest_arxiv(source, collection)
        if source.kind == "file":
            assert source.path is not None
            data = read_file(source.path, self.settings.max_download_mb)
            return self._ingest_bytes(
                source.label, data, source.path.name, str(source.path), collection
            )
        assert source.url is not None
        fetched = self._fetcher().fetch_document(source.url)
        name = fetched.url.rstrip("/").rsplit("/", 1)[-1] or "document"
        return self._ingest_bytes(source.label, fetched.data, name, fetched.url, collection)

    def _ingest_arxiv(self, source: Source, collection: str) -> AddResult:
        assert source.arxiv is not None
        client = ArxivClient(self.settings, self._fetcher())
        meta = client.metadata(source.arxiv)
        stored = self.store.get(arxiv_paper_id(meta.arxiv_id))
        if stored is not None and (stored.version or 0) >= (meta.version or 0):
            outcome: Outcome = "unchanged" if stored.version == meta.version else "skipped"
            note = "" if outcome == "unchanged" else f"v{stored.version} already stored"
            return AddResult(source.label, outcome, self._join_collection(stored, collection), note)
        pdf = client.pdf(source.arxiv, meta.version)
        document = document_from_bytes(
            pdf,
            f"{meta.arxiv_id}v{meta.version}.pdf",
            origin=meta.pdf_url or source.label,
            collection=collection,
            arxiv=meta,
            enricher=self._enricher(),
        )
        return self.store_document(source.label, document, collection)

    def _ingest_bytes(
        self, label: str, data: bytes, name: str, origin: str, collection: str
    ) -> AddResult:
        stored = self.store.find(file_sha256=sha256_bytes(data))
        if stored is not None:
            return AddResult(label, "unchanged", self._join_collection(stored, collection))
        document = document_from_bytes(
            data, name, origin=origin, collection=collection, enricher=self._enricher()
        )
        return self.store_document(label, document, collection)

    def store_document(self, label: str, document: Document, collection: str) -> AddResult:
        paper = document.paper
        stored = self.store.get(paper.id)
        if stored is not None:
            if stored.content_sha256 == paper.content_sha256:
                return AddResult(label, "unchanged", self._join_collection(stored, collection))
            if stored.version and paper.version and stored.version > paper.version:
                return AddResult(
                    label, "skipped", stored, f"newer v{stored.version} already stored"
                )
            if stored.version and stored.version == paper.version:
                # another copy of the same arXiv version (a local PDF, the API's PDF): keep one
                note = f"v{stored.version} already stored from {stored.origin or stored.source}"
                kept = self._join_collection(stored, collection)
                return AddResult(label, "unchanged", kept, note)
            paper.collections = sorted(set(stored.collections) | set(paper.collections))
            self.store.put(document)
            note = (
                f"v{stored.version} -> v{paper.version}" if stored.version and paper.version else ""
            )
            return AddResult(label, "replaced", paper, note)
        self.store.put(document)
        return AddResult(label, "added", paper)

    def _join_collection(self, paper: Paper, collection: str) -> Paper:
        if collection in paper.collections:
            return paper
        document = self.store.get_document(paper.id)
        if document is None:
            return paper
        document.paper.collections = sorted({*document.paper.collections, collection})
        self.store.put(document)
        return document.paper

    def _enricher(self) -> Enricher | None:
        if not self.settings.llm_enrich:
            return None
        from papershelf.ingest.enrich import enrich_metadata
        from papershelf.llm.openai_compat import OpenAICompatClient

        client = OpenAICompatClient(
            self.settings.ollama_base_url,
            self.settings.ollama_model,
            api_key=self.settings.llm_api_key,
            timeout=self.settings.llm_timeout_s,
        )
        return lambda parsed: enrich_metadata(parsed, client)


def read_file(path: Path, limit_mb: int) -> bytes:
    """The file's bytes; InputError when it is missing, unreadable or over `limit_mb` MiB."""
    try:
        size = path.stat().st_size
        if size > limit_mb * 2**20:
            raise InputError(
                f"{path} is {size / 2**20:.0f} MiB, over the {limit_mb} MiB limit "
                "(raise PAPERSHELF_MAX_DOWNLOAD_MB)"
            )
        return path.read_bytes()
    except PermissionError as exc:
        raise InputError(f"cannot read {path}: permission denied") from exc
    except FileNotFoundError as exc:
        raise InputError(f"no such file: {path}") from exc
