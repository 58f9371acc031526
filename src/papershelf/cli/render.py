"""Text and JSON renderings of papers, hits and reports (the JSON shapes are a stable contract)."""

from collections.abc import Callable
from typing import Any

import click

from papershelf.core.models import Document, Hit, Paper
from papershelf.library import AddReport


def paper_summary(paper: Paper) -> dict[str, Any]:
    return {
        "paper_id": paper.id,
        "title": paper.title,
        "authors": paper.authors,
        "published": paper.published.isoformat() if paper.published else None,
        "source": paper.source,
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "collections": paper.collections,
        "categories": paper.categories,
        "keywords": paper.keywords,
        "pages": paper.pages,
    }


def paper_detail(document: Document) -> dict[str, Any]:
    detail = document.paper.model_dump(mode="json")
    detail["paper_id"] = detail.pop("id")
    detail["outline"] = [
        {
            "section": s.ordinal,
            "heading": s.heading,
            "level": s.level,
            "page_start": s.page_start,
            "page_end": s.page_end,
        }
        for s in document.sections
    ]
    detail["passages"] = len(document.passages)
    detail["characters"] = len(document.content)
    return detail


def hit_payload(hit: Hit) -> dict[str, Any]:
    return {
        "paper_id": hit.citation.paper_id,
        "title": hit.citation.title,
        "section": hit.citation.section,
        "pages": hit.citation.pages,
        "text": hit.passage.text,
        "score": round(hit.score, 4),
        "citation": hit.citation.render(),
        "passage_id": hit.citation.passage_id,
    }


def report_payload(report: AddReport) -> dict[str, Any]:
    return {
        "results": [
            {
                "source": r.source,
                "outcome": r.outcome,
                "paper_id": r.paper.id,
                "title": r.paper.title,
                "note": r.note,
            }
            for r in report.results
        ],
        "failures": [{"source": s, "error": e} for s, e in report.failures],
    }


def paper_filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The filters shared by list and export."""
    for option in reversed(
        [
            click.option("--collection", default=None, help="Only papers in this collection."),
            click.option(
                "--author", default=None, help="Only papers with an author containing this text."
            ),
            click.option(
                "--year-from",
                type=int,
                default=None,
                help="Only papers published in or after this year.",
            ),
            click.option(
                "--year-to",
                type=int,
                default=None,
                help="Only papers published in or before this year.",
            ),
            click.option(
                "--source",
                type=click.Choice(["arxiv", "pdf", "markdown", "html", "text", "import"]),
                default=None,
                help="Only papers that came from this kind of source.",
            ),
        ]
    ):
        command = option(command)
    return command
