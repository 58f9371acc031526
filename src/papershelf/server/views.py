"""Library objects turned into what the tools and resources return."""

from typing import Any

from papershelf.core.models import Document, Paper, format_pages
from papershelf.core.tokens import count_tokens
from papershelf.search.reading import section_span
from papershelf.server.models import EssayMetadata, OutlineEntry, PaperBrief, PaperDetail


def date_of(paper: Paper) -> str:
    return paper.published.isoformat() if paper.published else ""


def brief_of(paper: Paper) -> PaperBrief:
    return PaperBrief(
        paper_id=paper.id,
        title=paper.title,
        authors=paper.authors[:5],
        published=date_of(paper),
    )


def detail_of(document: Document) -> PaperDetail:
    paper = document.paper
    outline = []
    for section in document.sections:
        start, end = section_span(document, section)
        outline.append(
            OutlineEntry(
                section=section.ordinal,
                heading=section.heading,
                pages=format_pages(section.page_start, section.page_end),
                tokens=count_tokens(document.content[start:end]),
            )
        )
    return PaperDetail(
        paper_id=paper.id,
        title=paper.title,
        abstract=paper.abstract,
        metadata=metadata_of(document),
        outline=outline,
    )


def metadata_of(document: Document) -> dict[str, Any]:
    """The rest of a paper's metadata, without empty values."""
    paper = document.paper
    fields: dict[str, Any] = {
        "authors": paper.authors,
        "published": date_of(paper),
        "source": paper.source,
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "doi": paper.doi,
        "categories": paper.categories,
        "keywords": paper.keywords,
        "collections": paper.collections,
        "language": paper.language,
        "pages": paper.pages,
        "tokens": count_tokens(document.content),
    }
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def essay_of(paper: Paper) -> EssayMetadata:
    """A paper as the tutorial's server listed an essay; `_id` is its old ObjectId when it had one."""
    return EssayMetadata(
        _id=paper.legacy_id or paper.id,
        title=paper.title,
        authors=paper.authors,
        categories=paper.categories,
        keywords=paper.keywords,
        publish_date=date_of(paper),
    )
