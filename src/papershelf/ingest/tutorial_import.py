"""Between the tutorial's MongoDB export and papershelf Documents, in both directions."""

from collections.abc import Iterator
from datetime import date, datetime

from papershelf.core.ids import sha256_text
from papershelf.core.models import Document
from papershelf.core.tokens import detect_language
from papershelf.ingest.arxiv_ids import parse_arxiv_reference
from papershelf.ingest.base import ParsedDocument
from papershelf.ingest.headings import find_headings
from papershelf.ingest.pipeline import build_document
from papershelf.ingest.tutorial_json import (
    TutorialEssay,
    read_tutorial_export,
    write_tutorial_export,
)

INSERT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def documents_from_tutorial_export(
    data: bytes, origin: str, collection: str
) -> Iterator[tuple[str, Document]]:
    """(label, Document) for each essay; the content is kept verbatim so an export round-trips."""
    for essay in read_tutorial_export(data, source=origin):
        label = f"{origin}#{essay.legacy_id or essay.arxiv_id or essay.title[:40]}"
        yield label, _document_from_essay(essay, origin, collection)


def _document_from_essay(essay: TutorialEssay, origin: str, collection: str) -> Document:
    ref = parse_arxiv_reference(essay.arxiv_id) if essay.arxiv_id else None
    parsed = ParsedDocument(
        kind="import",
        text=essay.content,
        headings=find_headings(essay.content),
        title=essay.title,
        authors=list(essay.authors),
        arxiv_id=ref.id if ref else None,
        arxiv_version=ref.version if ref else None,
        published=_parse_date(essay.publish_date),
        keywords=list(essay.keywords),
        categories=list(essay.categories),
        language=detect_language(essay.content),
    )
    return build_document(
        parsed,
        source="import",
        origin=f"{origin}#{essay.legacy_id}" if essay.legacy_id else origin,
        collection=collection,
        added=_parse_datetime(essay.insert_date),
        legacy_id=essay.legacy_id,
        keep_categories=True,
    )


def tutorial_export_bytes(documents: list[Document]) -> bytes:
    """The documents in the tutorial's export format (JSON array, `$oid`, its field order)."""
    return write_tutorial_export([_essay_from_document(d) for d in documents])


def _essay_from_document(document: Document) -> TutorialEssay:
    paper = document.paper
    arxiv_id = paper.arxiv_id or ""
    if arxiv_id and paper.version:
        arxiv_id = f"{arxiv_id}v{paper.version}"
    return TutorialEssay(
        legacy_id=paper.legacy_id or _object_id_for(paper.id, paper.added),
        arxiv_id=arxiv_id,
        title=paper.title,
        authors=list(paper.authors),
        categories=list(paper.categories),
        keywords=list(paper.keywords),
        content=document.content,
        publish_date=paper.published.isoformat() if paper.published else "",
        insert_date=paper.added.strftime(INSERT_DATE_FORMAT) if paper.added else "",
    )


def _object_id_for(paper_id: str, added: datetime | None) -> str:
    """A stable 24-hex ObjectId for a paper that never had one: creation time, then an id hash."""
    seconds = int(added.timestamp()) if added else 0
    return f"{seconds:08x}{sha256_text(paper_id)[:16]}"


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    for candidate in (value, value.replace("Z", "+00:00")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    try:
        return datetime.strptime(value, INSERT_DATE_FORMAT)
    except ValueError:
        return None
