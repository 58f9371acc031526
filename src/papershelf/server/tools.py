"""The MCP tools: each parses its arguments, makes one library call and formats the result.

Their descriptions are the model's manual (when to use, limits, paging) and are kept tight:
all definitions together are sent with every request and must stay under 2,000 tokens
(tests/server/test_budgets.py). Papershelf errors become tool errors whose text says what to
do instead.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from papershelf.core.errors import NotFound, PapershelfError
from papershelf.core.models import Hit as CoreHit
from papershelf.core.models import Paper, PaperFilter
from papershelf.core.tokens import count_tokens
from papershelf.library import Library
from papershelf.search.reading import cursor_from, decode_cursor, encode_cursor
from papershelf.server import rendering
from papershelf.server.models import (
    Added,
    AddResult,
    Collections,
    EssayContent,
    EssayList,
    EssayMetadata,
    Failed,
    PaperDetail,
    PaperList,
    ReadResult,
    SearchResult,
)
from papershelf.server.schema import slim_schema
from papershelf.server.security import WritePolicy
from papershelf.server.views import brief_of, detail_of, essay_of

SEARCH_TOKENS_PER_HIT = 300
"""A search result gets 300 tokens per requested hit, at least 1,500 (the default of 5 hits)."""
ESSAY_LIST_TOKENS = 8000
CONTENT_PAGE_TOKENS = 12000
READ_DEFAULT_TOKENS = 3000
MAX_OFFSET = 10**7

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)

PaperId = Annotated[
    str, Field(min_length=1, max_length=300, description="Id from a result, arXiv id or _id.")
]
OptionalText = Annotated[str | None, Field(max_length=300)]
Cursor = Annotated[str | None, Field(max_length=2000, description="next_cursor, to continue.")]
Collection = Annotated[str | None, Field(max_length=200, description="Only this collection.")]
Author = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Only papers by this author (part of a name, any case or script).",
    ),
]
YearFrom = Annotated[int | None, Field(ge=1000, le=3000, description="Earliest year.")]
YearTo = Annotated[int | None, Field(ge=1000, le=3000, description="Latest year.")]
DbName = Annotated[str, Field(max_length=200, description="Database name.")]
CollectionName = Annotated[str, Field(max_length=200, description="Collection name.")]


@contextmanager
def tool_errors() -> Iterator[None]:
    """Papershelf errors reach the model as tool errors with their actionable message."""
    try:
        yield
    except PapershelfError as exc:
        # The library speaks to CLI users; here the model lists papers with a tool.
        raise ToolError(str(exc).replace("`papershelf list`", "list_papers")) from exc


def result(model: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json", by_alias=True, exclude_none=True),
    )


def paper_tools(library: Library, write_policy: WritePolicy | None = None) -> list[Tool]:
    """Every tool the paper server offers; add_paper only with a write policy.

    The tutorial's three tools and add_paper return structured content too but advertise no
    output schema: the token budget of the definitions goes to the main tools' schemas.
    """
    settings = library.settings
    db_name = settings.db_name

    def known_collections() -> list[str]:
        return sorted({*library.collections(), settings.collection_name})

    def check_collection(name: str) -> None:
        known = known_collections()
        if name not in known:
            raise ToolError(f"no collection {name!r}; the collections are: {', '.join(known)}")

    def paper_filter(
        collection: str | None, author: str | None, year_from: int | None, year_to: int | None
    ) -> PaperFilter | None:
        if year_from is not None and year_to is not None and year_from > year_to:
            raise ToolError(f"year_from ({year_from}) is after year_to ({year_to}); swap them")
        if collection is not None:
            check_collection(collection)
        chosen = PaperFilter(
            collection=collection, author=author or None, year_from=year_from, year_to=year_to
        )
        # No filter at all, not an empty one: the store searches faster without a filter.
        return chosen if chosen.model_dump(exclude_none=True) else None

    async def search_papers(
        query: Annotated[
            str, Field(min_length=1, max_length=1000, description="Key terms or a question.")
        ],
        limit: Annotated[int, Field(ge=1, le=20, description="Passages, 1-20.")] = 5,
        paper_id: Annotated[OptionalText, Field(description="Only this paper.")] = None,
        collection: Collection = None,
    ) -> Annotated[CallToolResult, SearchResult]:
        """Passages answering a question, best first, with citations to quote. Use it first.
        Query in the papers' language (mostly English); Chinese works too. A shortened passage
        has `more`, a read_paper cursor.
        """
        if not query.strip():
            raise ToolError("query is empty: give key terms or a question")
        with tool_errors():
            chosen = paper_filter(collection, None, None, None)
            if paper_id is not None:
                only = [library.resolve_id(paper_id)]
                chosen = (chosen or PaperFilter()).model_copy(update={"paper_ids": only})
            hits = library.search(query, limit=limit, filter=chosen)
            papers: dict[str, Paper] = {}

            def cursor_for(hit: CoreHit, shown: int) -> str:
                """A read_paper cursor where the shortened passage stops."""
                pid = hit.passage.paper_id
                if pid not in papers:
                    # A hit's id is a stored one: no resolving (a paper deleted meanwhile still
                    # gets library.get's NotFound).
                    papers[pid] = library.store.get(pid) or library.get(pid)
                return cursor_from(papers[pid], hit.passage.char_start + shown)

            budget = SEARCH_TOKENS_PER_HIT * max(limit, 5)
            found = rendering.shape_hits(query, hits, budget, cursor_for)
        return result(found, rendering.render_search(query, found))

    async def list_papers(
        collection: Collection = None,
        author: Author = None,
        year_from: YearFrom = None,
        year_to: YearTo = None,
        limit: Annotated[int, Field(ge=1, le=100, description="Papers, 1-100.")] = 20,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, PaperList]:
        """Papers, newest first: what the library holds, and their ids. Pass next_cursor back
        as cursor for more.
        """
        with tool_errors():
            offset = _offset(cursor, "list")
            chosen = paper_filter(collection, author, year_from, year_to)
            papers = library.list(chosen, limit=limit, offset=offset)
            total = library.count(chosen)
        end = offset + len(papers)
        listed = PaperList(
            total=total,
            papers=[brief_of(p) for p in papers],
            next_cursor=encode_cursor({"k": "list", "o": end}) if end < total else None,
        )
        return result(listed, rendering.render_list(listed, offset))

    async def get_paper(paper_id: PaperId) -> Annotated[CallToolResult, PaperDetail]:
        """A paper's metadata, abstract and outline (section ids, pages, tokens)."""
        with tool_errors():
            detail = detail_of(library.get_document(paper_id))
        return result(detail, rendering.render_detail(detail))

    async def read_paper(
        paper_id: PaperId,
        section: Annotated[int | None, Field(ge=0, le=10**6, description="Section id.")] = None,
        page: Annotated[int | None, Field(ge=1, le=10**6, description="PDF page.")] = None,
        cursor: Cursor = None,
        max_tokens: Annotated[int, Field(ge=200, le=20000, description="200-20000.")] = (
            READ_DEFAULT_TOKENS
        ),
    ) -> Annotated[CallToolResult, ReadResult]:
        """Read a paper, section or page, at most max_tokens per call. While next_cursor is
        set, call again with it for more.
        """
        with tool_errors():
            piece = library.read(
                paper_id, section=section, page=page, cursor=cursor, max_tokens=max_tokens
            )
        read = ReadResult(
            scope=piece.scope,
            pages=piece.pages,
            text=piece.text,
            done_pct=piece.done_pct,
            next_cursor=piece.next_cursor,
        )
        return result(read, rendering.render_read(read, piece.paper_id, piece.title))

    def check_tutorial_names(db: str, collection: str | None = None) -> None:
        if db != db_name:
            raise ToolError(f"no database {db!r}; this server's database is {db_name!r}")
        if collection is not None and collection not in known_collections():
            known = ", ".join(known_collections())
            raise ToolError(
                f"no collection {collection!r} in {db_name!r}; its collections are: {known}"
            )

    async def get_db_collections(db_name: DbName) -> CallToolResult:
        check_tutorial_names(db_name)
        with tool_errors():
            found = Collections(db_name=db_name, collections=known_collections())
        return result(found, json.dumps(found.model_dump(), ensure_ascii=False))

    async def get_essays_metadata_from_collection(
        db_name: DbName, collection_name: CollectionName
    ) -> CallToolResult:
        check_tutorial_names(db_name, collection_name)
        with tool_errors():
            essays, end, more = _essay_page(library, PaperFilter(collection=collection_name))
        listed = EssayList(
            essays=essays, next_cursor=encode_cursor({"k": "list", "o": end}) if more else None
        )
        return result(listed, rendering.render_essays(listed, collection_name))

    async def get_essay_content_from_id(
        db_name: DbName,
        collection_name: CollectionName,
        essay_id: Annotated[str, Field(min_length=1, max_length=300, description="Essay _id.")],
    ) -> CallToolResult:
        check_tutorial_names(db_name, collection_name)
        with tool_errors():
            try:
                paper = library.get(essay_id)
            except NotFound as exc:
                raise ToolError(
                    f"no essay {essay_id!r}; get_essays_metadata_from_collection lists the _id values"
                ) from exc
            if collection_name not in paper.collections:
                raise ToolError(
                    f"essay {essay_id!r} is not in {collection_name!r}; "
                    f"it is in: {', '.join(paper.collections)}"
                )
            piece = library.read(paper.id, max_tokens=CONTENT_PAGE_TOKENS)
        content = EssayContent(
            content=piece.text, done_pct=piece.done_pct, next_cursor=piece.next_cursor
        )
        return result(content, rendering.render_content(content, paper.id))

    tools = [
        _tool(search_papers, "Search passages"),
        _tool(list_papers, "List papers", shallow=True),
        _tool(get_paper, "Paper metadata and outline", shallow=True),
        _tool(read_paper, "Read a paper"),
        _tool(
            get_db_collections,
            "Collections (tutorial)",
            f"Collections of the paper database {db_name!r}.",
        ),
        _tool(
            get_essays_metadata_from_collection,
            "Essay metadata (tutorial)",
            "A collection's essays, newest first; list_papers continues a long list.",
        ),
        _tool(
            get_essay_content_from_id,
            "Essay text (tutorial)",
            f"An essay's text, first {CONTENT_PAGE_TOKENS:,} tokens; read_paper continues with "
            "next_cursor.",
        ),
    ]
    if write_policy is not None:
        tools.append(_add_paper_tool(library, write_policy))
    return tools


def _add_paper_tool(library: Library, policy: WritePolicy) -> Tool:
    async def add_paper(
        source: Annotated[
            str,
            Field(
                min_length=1, max_length=2000, description="arXiv id, http(s) URL or allowed file."
            ),
        ],
    ) -> CallToolResult:
        """Add a paper (PDF, HTML, Markdown, text); returns its id. Size and time are limited."""
        with tool_errors():
            checked = policy.check(source, library)
            with anyio.fail_after(policy.timeout_s):
                report = await anyio.to_thread.run_sync(
                    lambda: policy.add(library.settings, checked), abandon_on_cancel=True
                )
        added = AddResult(
            added=[
                Added(paper_id=r.paper.id, title=r.paper.title, outcome=r.outcome)
                for r in report.results
            ],
            failed=[Failed(source=s, error=e) for s, e in report.failures],
        )
        text = rendering.render_added(added)
        if not added.added:
            raise ToolError(text)
        return result(added, text)

    return _tool(add_paper, "Add a paper", annotations=WRITES)


def _tool(
    fn: Callable[..., Any],
    title: str,
    description: str | None = None,
    annotations: ToolAnnotations = READ_ONLY,
    *,
    shallow: bool = False,
) -> Tool:
    text = " ".join((description or fn.__doc__ or "").split())
    tool = Tool.from_function(fn, title=title, description=text, annotations=annotations)
    tool.parameters = slim_schema(tool.parameters)
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = slim_schema(
            tool.fn_metadata.output_schema, output=True, shallow=shallow
        )
    return tool


def _offset(cursor: str | None, kind: str) -> int:
    if cursor is None:
        return 0
    offset = decode_cursor(cursor, kind).get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise ToolError("this cursor is damaged; call again without a cursor to start over")
    return offset


def _essay_page(library: Library, chosen: PaperFilter) -> tuple[list[EssayMetadata], int, bool]:
    """Essays from the newest until the token budget is spent; how many and whether more exist."""
    essays: list[EssayMetadata] = []
    spent = 0
    while True:
        batch = library.list(chosen, limit=100, offset=len(essays))
        for paper in batch:
            essay = essay_of(paper)
            cost = count_tokens(json.dumps(essay.model_dump(by_alias=True), ensure_ascii=False))
            if essays and spent + cost > ESSAY_LIST_TOKENS:
                return essays, len(essays), True
            essays.append(essay)
            spent += cost
        if len(batch) < 100:
            return essays, len(essays), False
