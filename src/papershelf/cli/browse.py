"""list, show, search, rm: looking at what is in the library."""

import textwrap

import click
from rich.console import Console
from rich.table import Table

from papershelf.cli.context import AppContext, emit_json, json_option, pass_app
from papershelf.cli.render import hit_payload, paper_detail, paper_filter_options, paper_summary
from papershelf.core.models import PaperFilter


@click.command("list")
@paper_filter_options
@click.option(
    "--limit",
    type=click.IntRange(1, 10000),
    default=50,
    show_default=True,
    help="Most papers shown.",
)
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many papers (paging).")
@json_option
@pass_app
def list_(app: AppContext, limit: int, offset: int, as_json: bool, **filters: object) -> None:
    """List papers, newest first (filters: collection, author, year, source)."""
    paper_filter = PaperFilter(**filters)  # type: ignore[arg-type]
    papers = app.library.list(paper_filter, limit=limit, offset=offset)
    total = app.library.count(paper_filter)
    if as_json:
        emit_json({"total": total, "offset": offset, "papers": [paper_summary(p) for p in papers]})
        return
    if not papers:
        if total and offset:
            click.echo(f"no papers at offset {offset} ({total} in all)")
        elif any(filters.values()):
            click.echo("no papers match these filters")
        else:
            click.echo("no papers yet: try `papershelf add`")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("id", "published", "title", "authors"):
        table.add_column(column, overflow="fold" if column == "title" else "ellipsis")
    for paper in papers:
        authors = ", ".join(paper.authors[:2]) + (" et al." if len(paper.authors) > 2 else "")
        table.add_row(paper.id, str(paper.published or ""), paper.title, authors)
    Console().print(table)
    if total > offset + len(papers):
        click.echo(f"… {total - offset - len(papers)} more (use --offset {offset + len(papers)})")


@click.command()
@click.argument("paper_id")
@json_option
@pass_app
def show(app: AppContext, paper_id: str, as_json: bool) -> None:
    """Show a paper's metadata, abstract and outline (PAPER_ID: id, arXiv id or tutorial ObjectId)."""
    document = app.library.get_document(paper_id)
    if as_json:
        emit_json(paper_detail(document))
        return
    paper = document.paper
    click.secho(paper.title, bold=True)
    click.echo(
        f"id: {paper.id}   source: {paper.source}   pages: {paper.pages or '-'}   "
        f"published: {paper.published or '-'}"
    )
    if paper.authors:
        click.echo("authors: " + ", ".join(paper.authors))
    if paper.categories:
        click.echo("categories: " + ", ".join(paper.categories))
    if paper.keywords:
        click.echo("keywords: " + ", ".join(paper.keywords))
    click.echo(
        f"collections: {', '.join(paper.collections)}   passages: {len(document.passages)}   "
        f"origin: {paper.origin}"
    )
    if paper.abstract:
        click.echo("\n" + textwrap.fill(paper.abstract, 100))
    if document.sections:
        click.echo("\noutline:")
        for section in document.sections:
            pages = f" (p.{section.page_start})" if section.page_start else ""
            name = section.heading.split(" > ")[-1]
            click.echo(f"  {section.ordinal:>3}  {'  ' * (section.level - 1)}{name}{pages}")


@click.command()
@click.argument("query")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="Passages to return.",
)
@click.option("--paper", "paper_id", default=None, help="Only search this paper.")
@click.option("--collection", default=None, help="Only search this collection.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "dense"]),
    default="hybrid",
    show_default=True,
    help="Retrieval: lexical (BM25) and dense (embeddings) fused, or one of them alone.",
)
@json_option
@pass_app
def search(
    app: AppContext,
    query: str,
    limit: int,
    paper_id: str | None,
    collection: str | None,
    mode: str,
    as_json: bool,
) -> None:
    """Search passages (English or Chinese; a question finds passages in the other language too).

    Every hit carries its citation, e.g. [arxiv:2504.05299 §2.2 p.4].
    """
    library = app.library
    paper_ids = [library.resolve_id(paper_id)] if paper_id else None
    paper_filter = PaperFilter(collection=collection, paper_ids=paper_ids)
    hits = library.search(query, limit=limit, filter=paper_filter, mode=mode)  # type: ignore[arg-type]
    if as_json:
        emit_json({"query": query, "hits": [hit_payload(h) for h in hits]})
        return
    if not hits:
        click.echo(f"no passages match {query!r}")
        return
    for hit in hits:
        click.secho(f"{hit.rank}. {hit.citation.render()}  {hit.citation.title}", bold=True)
        if hit.citation.section:
            click.secho(f"   {hit.citation.section}", dim=True)
        click.echo(textwrap.indent(snippet(hit.passage.text), "   ") + "\n")


def snippet(text: str, width: int = 420) -> str:
    """The passage on one paragraph, cut at `width` characters (works for CJK text, which has no spaces)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


@click.command()
@click.argument("paper_id")
@json_option
@pass_app
def rm(app: AppContext, paper_id: str, as_json: bool) -> None:
    """Remove a paper and its passages."""
    paper = app.library.remove(paper_id)
    if as_json:
        emit_json({"removed": paper.id, "title": paper.title})
    else:
        click.echo(f"removed {paper.id}  {paper.title}")
