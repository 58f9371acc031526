"""Resources (paper metadata, paged text, sections) and the completion of paper ids.

Paper ids hold ':' and old arXiv ids '/': URIs percent-encode the id (`paper://arxiv%3A2504.05299`);
a raw ':' is accepted too. Text comes in pages of RESOURCE_PAGE_TOKENS, each ending with the
URI of the next page.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from papershelf.core.errors import NotFound, PapershelfError
from papershelf.library import Library
from papershelf.search.reading import ReadPage
from papershelf.server.rendering import fenced
from papershelf.server.views import detail_of

RESOURCE_PAGE_TOKENS = 8000
MAX_COMPLETIONS = 100
PAPER_ID_ARGUMENTS = frozenset({"paper_id", "paper_ids"})


def paper_uri(paper_id: str, suffix: str = "") -> str:
    return f"paper://{quote(paper_id, safe='')}{suffix}"


def add_resources(server: MCPServer, library: Library) -> None:
    @server.resource(
        "paper://{paper_id}",
        name="paper",
        title="Paper metadata and outline",
        description="A paper's metadata, abstract and outline (JSON). The id is percent-encoded.",
        mime_type="application/json",
    )
    def paper(paper_id: str) -> str:
        with _resource_errors():
            return detail_of(library.get_document(paper_id)).model_dump_json(indent=1)

    @server.resource(
        "paper://{paper_id}/text{?cursor}",
        name="paper_text",
        title="Paper text (paged)",
        description=f"A paper's full text in pages of at most {RESOURCE_PAGE_TOKENS:,} tokens; each page "
        "ends with the URI of the next one.",
        mime_type="text/plain",
    )
    def paper_text(paper_id: str, cursor: str | None = None) -> str:
        with _resource_errors():
            page = library.read(paper_id, cursor=cursor or None, max_tokens=RESOURCE_PAGE_TOKENS)
        return _page_text(page)

    @server.resource(
        "paper://{paper_id}/sections/{n}",
        name="paper_section",
        title="One section of a paper",
        description="Section n of a paper (ids as in the paper's outline), subsections included.",
        mime_type="text/plain",
    )
    def paper_section(paper_id: str, n: str) -> str:
        if not n.isdigit():
            raise ResourceNotFoundError(
                f"section {n!r} is not a number; the outline gives section ids"
            )
        with _resource_errors():
            page = library.read(paper_id, section=int(n), max_tokens=RESOURCE_PAGE_TOKENS)
        return _page_text(page)

    @server.completion()
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if argument.name not in PAPER_ID_ARGUMENTS:
            return None
        return complete_paper_ids(library, argument.value, several=argument.name == "paper_ids")


def complete_paper_ids(library: Library, typed: str, *, several: bool = False) -> Completion:
    """Paper ids that start with what was typed (or whose arXiv id or title does); for a
    comma-separated list, the last item is completed and the earlier ones kept."""
    done, _, last = typed.rpartition(",") if several else ("", "", typed)
    prefix = last.strip().lower()
    found = []
    for paper in library.iter_papers():
        keys = (paper.id.lower(), (paper.arxiv_id or "").lower(), paper.title.lower())
        if not prefix or any(key.startswith(prefix) for key in keys) or prefix in keys[2]:
            found.append(paper.id)
    lead = f"{done}," if done else ""
    values = [lead + paper_id for paper_id in found[:MAX_COMPLETIONS]]
    return Completion(values=values, total=len(found), has_more=len(found) > MAX_COMPLETIONS)


def _page_text(page: ReadPage) -> str:
    where = f", {page.pages}" if page.pages else ""
    head = f"{page.paper_id} {page.title} — {page.scope}{where}; {page.done_pct}% of it read."
    tail = (
        f"Next page: {paper_uri(page.paper_id, '/text')}?cursor={page.next_cursor}"
        if page.next_cursor
        else "End."
    )
    return f"{head}\n{fenced(page.text, page.paper_id)}\n{tail}"


@contextmanager
def _resource_errors() -> Iterator[None]:
    """NotFound becomes the resource-not-found error; other papershelf errors a resource error."""
    try:
        yield
    except NotFound as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    except PapershelfError as exc:
        raise ResourceError(str(exc)) from exc
