"""arXiv as a source: paper metadata from its Atom API and the PDF of a given version."""

import re
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from papershelf.core.errors import NotFound, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.ingest.arxiv_ids import ArxivRef, parse_arxiv_reference
from papershelf.ingest.http import MIB, HttpFetcher

NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
ATOM_ACCEPT = "application/atom+xml, application/xml;q=0.9"
MAX_ATOM_BYTES = 5 * MIB
_ERROR_ENTRY = re.compile(r"arxiv\.org/api/errors", re.IGNORECASE)
_SUBJECT_CLASS = re.compile(r"\.[A-Z]{2}/")
_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)


class ArxivMetadata(BaseModel):
    """What arXiv says about one version of a paper."""

    arxiv_id: str = Field(description="Id without version: '2504.05299' or 'hep-th/9901001'.")
    version: int = Field(description="The version described: the one asked for, else the latest.")
    title: str
    authors: list[str] = Field(default_factory=list)
    abstract: str = ""
    categories: list[str] = Field(default_factory=list, description="Primary category first.")
    primary_category: str = ""
    published: date = Field(description="When version 1 was submitted.")
    updated: date = Field(description="When this version was submitted.")
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    pdf_url: str = ""


class ArxivClient:
    """Reads arXiv through an HttpFetcher (pass the shared one so arXiv's pacing covers all calls)."""

    def __init__(self, settings: Settings, fetcher: HttpFetcher | None = None):
        self.settings = settings
        self._owns_fetcher = fetcher is None
        self.fetcher = fetcher if fetcher is not None else HttpFetcher(settings)

    def metadata(self, ref: ArxivRef) -> ArxivMetadata:
        """Metadata of `ref` (of its version when it names one); NotFound when arXiv has no such paper."""
        query = urlencode({"id_list": ref.versioned, "max_results": 1}, safe="/")
        # arXiv answers 400 with an Atom error entry for ids it cannot read.
        result = self.fetcher.get(
            f"{self.settings.arxiv_api_url}?{query}",
            accept=ATOM_ACCEPT,
            max_bytes=MAX_ATOM_BYTES,
            allow_status={400},
        )
        return parse_atom_entry(result.data, ref)

    def pdf(self, ref: ArxivRef, version: int | None = None) -> bytes:
        """The PDF of `ref` at `version` (default: the ref's own, else the latest)."""
        wanted = ArxivRef(ref.id, version if version is not None else ref.version)
        result = self.fetcher.get(
            f"{self.settings.arxiv_pdf_url.rstrip('/')}/{wanted.versioned}",
            accept="application/pdf",
        )
        if b"%PDF-" not in result.data[:1024]:
            raise SourceUnavailable(_not_a_pdf_message(wanted, result.content_type, result.data))
        return result.data

    def fetch(self, ref: ArxivRef) -> tuple[ArxivMetadata, bytes]:
        """Metadata and the PDF of the same version, in one call."""
        meta = self.metadata(ref)
        return meta, self.pdf(ref, meta.version)

    def close(self) -> None:
        if self._owns_fetcher:
            self.fetcher.close()

    def __enter__(self) -> "ArxivClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def parse_atom_entry(data: bytes, ref: ArxivRef) -> ArxivMetadata:
    """The entry for `ref` in an arXiv API response; NotFound for an error entry or empty feed."""
    try:
        feed = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceUnavailable(
            f"arXiv answered with malformed XML for {ref.versioned} ({exc}); try again later"
        ) from exc
    if feed.tag != f"{{{NAMESPACES['atom']}}}feed":
        raise SourceUnavailable(
            f"arXiv answered with something other than an Atom feed for {ref.versioned}; "
            "try again later"
        )
    entries = feed.findall("atom:entry", NAMESPACES)
    not_found = NotFound(f"arXiv has no paper {ref.versioned}; check the id")
    if not entries or any(_ERROR_ENTRY.search(_text(e, "atom:id")) for e in entries):
        raise not_found
    wanted = _without_subject_class(ref.id)
    for entry in entries:
        entry_ref = parse_arxiv_reference(_text(entry, "atom:id"))
        if entry_ref is None or _without_subject_class(entry_ref.id) != wanted:
            continue
        if not _text(entry, "atom:title") and not _text(entry, "atom:published"):
            raise not_found
        return _metadata_from_entry(entry, entry_ref, ref)
    raise SourceUnavailable(
        f"arXiv answered with other papers than {ref.versioned}; try again later"
    )


def _metadata_from_entry(entry: ET.Element, entry_ref: ArxivRef, asked: ArxivRef) -> ArxivMetadata:
    primary = _attribute(entry, "arxiv:primary_category", "term")
    categories = [c.get("term", "") for c in entry.findall("atom:category", NAMESPACES)]
    ordered = list(dict.fromkeys(c for c in [primary, *categories] if c))
    published = _date(_text(entry, "atom:published"), asked)
    updated_text = _text(entry, "atom:updated")
    return ArxivMetadata(
        arxiv_id=entry_ref.id,
        version=entry_ref.version or asked.version or 1,
        title=_normalise(_text(entry, "atom:title")),
        authors=[
            _normalise(_text(author, "atom:name"))
            for author in entry.findall("atom:author", NAMESPACES)
            if _text(author, "atom:name")
        ],
        abstract=_normalise(_text(entry, "atom:summary")),
        categories=ordered,
        primary_category=ordered[0] if ordered else "",
        published=published,
        updated=_date(updated_text, asked) if updated_text else published,
        doi=_normalise(_text(entry, "arxiv:doi")) or None,
        journal_ref=_normalise(_text(entry, "arxiv:journal_ref")) or None,
        comment=_normalise(_text(entry, "arxiv:comment")) or None,
        pdf_url=_pdf_link(entry),
    )


def _without_subject_class(arxiv_id: str) -> str:
    # arXiv answers math.GT/0309136 with its canonical id math/0309136.
    return _SUBJECT_CLASS.sub("/", arxiv_id)


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path, NAMESPACES)
    return (found.text or "") if found is not None else ""


def _attribute(element: ET.Element, path: str, name: str) -> str:
    found = element.find(path, NAMESPACES)
    return found.get(name, "") if found is not None else ""


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _date(text: str, ref: ArxivRef) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError as exc:
        raise SourceUnavailable(
            f"arXiv answered with an unreadable date {text!r} for {ref.versioned}; try again later"
        ) from exc


def _pdf_link(entry: ET.Element) -> str:
    for link in entry.findall("atom:link", NAMESPACES):
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            return link.get("href", "")
    return ""


def _not_a_pdf_message(ref: ArxivRef, content_type: str, data: bytes) -> str:
    if "html" in content_type.lower() or _HTML_START.match(data[:512]):
        return (
            f"arXiv returned an HTML page instead of the PDF for {ref.versioned}; "
            "it may be rate limiting or the paper may have no PDF"
        )
    return f"arXiv returned something other than a PDF for {ref.versioned}; try again later"
