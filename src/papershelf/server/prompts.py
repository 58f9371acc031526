"""Prompts a user can pick in a host: summarise a paper, compare papers, review a topic.

Each names the papers and tells the model how to work through the tools (outline first, then
the sections it needs, citations as the tools give them), instead of pasting whole papers.
"""

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from pydantic import Field

from papershelf.core.errors import PapershelfError
from papershelf.core.models import Paper
from papershelf.library import Library
from papershelf.server.rendering import UNTRUSTED_NOTE

MAX_COMPARED = 6


def add_prompts(server: MCPServer, library: Library) -> None:
    @server.prompt(name="summarize_paper", title="Summarise a paper")
    def summarize_paper(
        paper_id: Annotated[str, Field(description="Paper id, arXiv id or tutorial _id.")],
        focus: Annotated[str, Field(description="What the summary should stress (optional).")] = "",
    ) -> str:
        """Summarise one paper: problem, method, results, limits, with citations."""
        paper = _paper(library, paper_id)
        stress = f" Stress: {focus.strip()}." if focus.strip() else ""
        return (
            f"Summarise the paper {_named(paper)}.{stress}\n"
            f'1. Call get_paper(paper_id="{paper.id}") for its abstract and outline.\n'
            "2. Read the sections that state the problem, the method, the results and the limits with "
            "read_paper(paper_id, section=...); follow next_cursor only where you need more.\n"
            "3. Write a structured summary (problem, method, key results with numbers, limits) and "
            "cite every claim with the citation the tools give, e.g. [arxiv:2504.05299 §3 p.5].\n"
            f"{UNTRUSTED_NOTE}"
        )

    @server.prompt(name="compare_papers", title="Compare papers")
    def compare_papers(
        paper_ids: Annotated[str, Field(description="Two or more paper ids, comma-separated.")],
        aspect: Annotated[
            str, Field(description="What to compare, e.g. 'efficiency' (optional).")
        ] = "",
    ) -> str:
        """Compare two or more papers side by side, with citations."""
        ids = [part.strip() for part in paper_ids.split(",") if part.strip()]
        if not 2 <= len(ids) <= MAX_COMPARED:
            raise MCPError(INVALID_PARAMS, f"give 2 to {MAX_COMPARED} paper ids, comma-separated")
        papers = [_paper(library, paper_id) for paper_id in ids]
        listed = "\n".join(f"- {_named(p)}" for p in papers)
        about = aspect.strip() or "problem, method, data, results and limits"
        return (
            f"Compare these papers on: {about}.\n{listed}\n"
            "For each paper call get_paper for its outline, then search_papers with paper_id set "
            "to find the passages on each point, reading sections with read_paper only where a "
            "passage is not enough. Answer with a comparison table and a short verdict; cite every "
            f"cell with the citation the tools give.\n{UNTRUSTED_NOTE}"
        )

    @server.prompt(name="literature_review", title="Literature review on a topic")
    def literature_review(
        topic: Annotated[str, Field(description="The topic, in any language.")],
        collection: Annotated[str, Field(description="Only this collection (optional).")] = "",
    ) -> str:
        """A short literature review of what the library says about a topic, with citations."""
        name = collection.strip()
        listing = f"list_papers(collection={name!r})" if name else "list_papers()"
        return (
            f"Write a literature review on: {topic.strip()}.\n"
            f"1. Call {listing} to see which papers exist.\n"
            "2. Call search_papers several times with the topic's key terms in the papers' "
            "language (and synonyms), to find the relevant passages.\n"
            "3. Group the findings by theme, say where papers agree or disagree, and name open "
            "questions. Cite every statement with the citation the tools give; say so when the "
            f"library has too little on a point.\n{UNTRUSTED_NOTE}"
        )


def _paper(library: Library, paper_id: str) -> Paper:
    try:
        return library.get(paper_id)
    except PapershelfError as exc:
        # an MCPError reaches the host with its message; any other exception becomes a generic
        # "Internal server error"
        raise MCPError(
            INVALID_PARAMS, str(exc).replace("`papershelf list`", "list_papers")
        ) from exc


def _named(paper: Paper) -> str:
    year = f", {paper.published.year}" if paper.published else ""
    return f'{paper.id} "{paper.title}"{year}'
