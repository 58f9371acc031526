"""The pure ingestion pipeline: bytes (plus known metadata) in, a complete Document out."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from papershelf.core.errors import UnsupportedDocument
from papershelf.core.ids import arxiv_paper_id, document_paper_id, sha256_bytes, sha256_text
from papershelf.core.models import Document, Paper, SourceKind
from papershelf.core.tokens import detect_language
from papershelf.ingest.arxiv import ArxivMetadata
from papershelf.ingest.base import ParsedDocument, Parser
from papershelf.ingest.categories import categorize
from papershelf.ingest.chunking import chunk_document
from papershelf.ingest.detect import sniff_kind
from papershelf.ingest.enrich import Enrichment
from papershelf.ingest.html import HtmlParser
from papershelf.ingest.keywords import extract_keywords
from papershelf.ingest.markdown import MarkdownParser
from papershelf.ingest.pdf import PdfParser
from papershelf.ingest.text import TextParser

log = logging.getLogger(__name__)

# Bump when parsing or chunking changes in a way that should re-ingest stored papers.
EXTRACTOR_VERSION = "1"

# Documents that *are* an arXiv paper when they name its id: a PDF carrying arXiv's stamp, an
# essay of the tutorial's export. A Markdown/HTML/text note that mentions an id is only about it,
# and must not take the paper's place.
ARXIV_IDENTITY_KINDS = frozenset({"pdf", "import"})

Enricher = Callable[[ParsedDocument], Enrichment]

PARSERS: dict[str, Parser] = {
    "pdf": PdfParser(),
    "markdown": MarkdownParser(),
    "html": HtmlParser(),
    "text": TextParser(),
}


def parse_bytes(data: bytes, name: str) -> ParsedDocument:
    """Detect the document kind and parse it."""
    kind = sniff_kind(data, name)
    return PARSERS[kind].parse(data, name)


def document_from_bytes(
    data: bytes,
    name: str,
    *,
    origin: str,
    collection: str,
    arxiv: ArxivMetadata | None = None,
    enricher: Enricher | None = None,
) -> Document:
    """Parse one document's bytes and build its Document."""
    parsed = parse_bytes(data, name)
    source: SourceKind = "arxiv" if arxiv is not None else parsed.kind
    return build_document(
        parsed,
        source=source,
        origin=origin,
        collection=collection,
        file_sha256=sha256_bytes(data),
        arxiv=arxiv,
        enricher=enricher,
    )


def build_document(
    parsed: ParsedDocument,
    *,
    source: SourceKind,
    origin: str,
    collection: str,
    file_sha256: str | None = None,
    arxiv: ArxivMetadata | None = None,
    enricher: Enricher | None = None,
    added: datetime | None = None,
    legacy_id: str | None = None,
    keep_categories: bool = False,
) -> Document:
    """Combine parsed text, remote metadata and enrichment into a Document with its passages."""
    if not parsed.text.strip():
        raise UnsupportedDocument(f"{origin} contains no text to index")
    content_sha256 = sha256_text(parsed.text)
    arxiv_id, version = (arxiv.arxiv_id, arxiv.version) if arxiv else (None, None)
    if arxiv is None and parsed.kind in ARXIV_IDENTITY_KINDS:
        arxiv_id, version = parsed.arxiv_id, parsed.arxiv_version
    paper_id = (
        arxiv_paper_id(arxiv_id) if arxiv_id else document_paper_id(file_sha256 or content_sha256)
    )

    title, authors = parsed.title, list(parsed.authors)
    keywords, categories = list(parsed.keywords), list(parsed.categories)
    if arxiv:
        title, authors = arxiv.title or title, arxiv.authors or authors
        categories = list(arxiv.categories)
    if enricher is not None:
        enrichment = enricher(parsed)
        for warning in enrichment.warnings:
            log.warning("LLM enrichment of %s: %s", origin, warning)
        title = title or enrichment.title
        authors = authors or list(enrichment.authors)
        keywords = keywords or list(enrichment.keywords)
        if not categories:
            categories = list(enrichment.categories)
    language = parsed.language or detect_language(parsed.text)
    abstract = (arxiv.abstract if arxiv else "") or parsed.abstract
    if not keywords:
        keywords = extract_keywords(parsed.text, title=title, abstract=abstract, language=language)
    if not (keep_categories and categories):
        categories = categorize(arxiv_categories=categories, keywords=keywords, text=parsed.text)

    sections, passages = chunk_document(parsed, paper_id)
    paper = Paper(
        id=paper_id,
        source=source,
        arxiv_id=arxiv_id,
        version=version,
        title=title or _title_from_origin(origin),
        authors=authors,
        abstract=abstract,
        categories=categories,
        keywords=keywords[:15],
        published=(arxiv.published if arxiv else None) or parsed.published,
        updated=arxiv.updated if arxiv else None,
        added=added or datetime.now(UTC).replace(microsecond=0),
        language=language,
        collections=[collection],
        pages=len(parsed.pages) or None,
        doi=arxiv.doi if arxiv else None,
        journal_ref=arxiv.journal_ref if arxiv else None,
        origin=origin,
        file_sha256=file_sha256,
        content_sha256=content_sha256,
        extractor_version=EXTRACTOR_VERSION,
        legacy_id=legacy_id,
    )
    return Document(paper=paper, content=parsed.text, sections=sections, passages=passages)


def _title_from_origin(origin: str) -> str:
    stem = origin.rstrip("/").rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if "." in stem else stem
