"""The paper tools through the SDK's in-memory client, over a real library in tmp_path."""

import pytest
from mcp import Client

from papershelf.core.settings import Settings
from papershelf.core.tokens import count_tokens
from papershelf.library import Library
from papershelf.server.app import build_server

pytestmark = pytest.mark.anyio


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def call(server, name: str, **arguments):
    async with Client(server) as client:
        return await client.call_tool(name, arguments)


def paper_id_titled(library: Library, start: str) -> str:
    return next(p.id for p in library.list(limit=100) if p.title.startswith(start))


async def test_search_returns_cited_passages_not_papers(server):
    result = await call(server, "search_papers", query="pixel shuffle visual tokens")
    assert not result.is_error
    hits = result.structured_content["hits"]
    assert hits and hits[0]["title"].startswith("Tiny Models See Far")
    first = hits[0]
    assert set(first) >= {"paper_id", "title", "section", "pages", "text", "score", "citation"}
    assert first["citation"].startswith(f"[{first['paper_id']}")
    assert count_tokens(first["text"]) < 600
    assert first["citation"] in text_of(result)


async def test_a_chinese_question_finds_the_chinese_paper(server):
    result = await call(server, "search_papers", query="像素重排如何减少视觉标记?")
    titles = [hit["title"] for hit in result.structured_content["hits"]]
    assert "小模型的视觉压缩" in titles


async def test_search_can_be_limited_to_one_paper(server, library):
    stereo = paper_id_titled(library, "Zero-Shot Stereo")
    result = await call(
        server, "search_papers", query="experiments settings seeds", paper_id=stereo, limit=10
    )
    assert {hit["paper_id"] for hit in result.structured_content["hits"]} == {stereo}


async def test_search_with_an_unknown_collection_lists_the_valid_ones(server):
    result = await call(server, "search_papers", query="pixel", collection="nope")
    assert result.is_error
    assert "no collection 'nope'" in text_of(result) and "ai_essay" in text_of(result)


async def test_a_search_in_an_empty_library_says_what_to_try(papershelf_home):
    empty = Library(Settings(home=papershelf_home))
    result = await call(build_server(empty), "search_papers", query="pixel shuffle")
    assert not result.is_error
    assert result.structured_content["hits"] == []
    assert "Try other key terms" in text_of(result)


async def test_list_papers_pages_with_a_cursor(server, library):
    first = await call(server, "list_papers", limit=3)
    assert first.structured_content["total"] == 4
    assert len(first.structured_content["papers"]) == 3
    cursor = first.structured_content["next_cursor"]
    second = await call(server, "list_papers", limit=3, cursor=cursor)
    ids = [
        p["paper_id"]
        for p in first.structured_content["papers"] + second.structured_content["papers"]
    ]
    assert sorted(ids) == sorted(p.id for p in library.list())
    assert "next_cursor" not in second.structured_content


async def test_list_papers_refuses_a_cursor_it_did_not_make(server):
    result = await call(server, "list_papers", cursor="not-a-cursor")
    assert result.is_error
    assert "cursor is not valid" in text_of(result)


async def test_list_papers_with_year_from_after_year_to_says_to_swap(server):
    result = await call(server, "list_papers", year_from=2025, year_to=2020)
    assert result.is_error and "swap" in text_of(result)


async def test_get_paper_gives_the_outline_with_section_ids(server, library):
    paper_id = paper_id_titled(library, "Tiny Models")
    result = await call(server, "get_paper", paper_id=paper_id)
    detail = result.structured_content
    headings = [entry["heading"] for entry in detail["outline"]]
    assert any("Pixel Shuffle" in h for h in headings)
    assert all(entry["tokens"] > 0 for entry in detail["outline"])
    assert "pixel shuffle reduces" in detail["abstract"]


async def test_get_paper_with_an_unknown_id_says_so(server):
    result = await call(server, "get_paper", paper_id="arxiv:9999.99999")
    assert result.is_error
    assert "no paper 'arxiv:9999.99999'" in text_of(result)


async def test_read_paper_in_pieces_gives_back_the_whole_text(server, library):
    paper_id = paper_id_titled(library, "Tiny Models")
    content = library.get_document(paper_id).content
    pieces, cursor = [], None
    for _ in range(100):
        arguments = {"paper_id": paper_id, "max_tokens": 200}
        if cursor:
            arguments["cursor"] = cursor
        result = await call(server, "read_paper", **arguments)
        piece = result.structured_content
        assert count_tokens(piece["text"]) <= 200
        pieces.append(piece["text"])
        cursor = piece.get("next_cursor")
        if cursor is None:
            break
    assert len(pieces) > 2
    assert "".join(pieces) == content
    assert piece["done_pct"] == 100


async def test_read_paper_reads_one_section_with_its_subsections(server, library):
    paper_id = paper_id_titled(library, "Tiny Models")
    document = library.get_document(paper_id)
    method = next(s for s in document.sections if s.heading.endswith("2 Method"))
    result = await call(
        server, "read_paper", paper_id=paper_id, section=method.ordinal, max_tokens=5000
    )
    text = result.structured_content["text"]
    assert "rearranges each 4x4 block" in text and "two stages" in text
    assert "81.6 percent" not in text


async def test_read_paper_with_an_unknown_section_gives_the_valid_range(server, library):
    paper_id = paper_id_titled(library, "Tiny Models")
    result = await call(server, "read_paper", paper_id=paper_id, section=999)
    assert result.is_error and "numbered" in text_of(result)


async def test_read_paper_by_page_on_a_markdown_paper_says_it_has_no_pages(server, library):
    paper_id = paper_id_titled(library, "Tiny Models")
    result = await call(server, "read_paper", paper_id=paper_id, page=2)
    assert result.is_error and "no page numbers" in text_of(result)


async def test_a_cursor_from_another_paper_is_refused(server, library):
    tiny = paper_id_titled(library, "Tiny Models")
    stereo = paper_id_titled(library, "Zero-Shot Stereo")
    first = await call(server, "read_paper", paper_id=tiny, max_tokens=200)
    result = await call(
        server, "read_paper", paper_id=stereo, cursor=first.structured_content["next_cursor"]
    )
    assert result.is_error and "belongs to paper" in text_of(result)


async def test_a_shortened_hit_continues_in_read_paper_where_it_stopped(server, library):
    result = await call(server, "search_papers", query="experiments seeds settings runs", limit=5)
    shortened = [hit for hit in result.structured_content["hits"] if hit.get("more")]
    assert shortened, "the filler-heavy passages should not all fit in the budget"
    hit = shortened[0]
    rest = await call(server, "read_paper", paper_id=hit["paper_id"], cursor=hit["more"])
    assert not rest.is_error
    shown = hit["text"].removesuffix(" …")
    content = library.get_document(hit["paper_id"]).content
    after_shown = content[content.index(shown) + len(shown) :]
    continued = rest.structured_content["text"]
    assert not continued.startswith(shown[:40]), "the rest must not repeat what was shown"
    assert after_shown.lstrip().startswith(continued.lstrip()[:40])


async def test_paper_text_is_fenced_and_cannot_close_its_fence(server, library):
    paper_id = paper_id_titled(library, "A Paper That Talks Back")
    result = await call(server, "read_paper", paper_id=paper_id, max_tokens=5000)
    text = text_of(result)
    body = text.split('<paper_text source="', 1)[1]
    assert body.count("</paper_text>") == 1, "only the server's own closing tag"
    assert "Ignore all previous instructions" in body.split("</paper_text>")[0]


async def test_tutorial_tools_name_the_valid_database(server):
    result = await call(server, "get_db_collections", db_name="wrong_db")
    assert result.is_error and "'essay_database'" in text_of(result)
    ok = await call(server, "get_db_collections", db_name="essay_database")
    assert ok.structured_content == {"db_name": "essay_database", "collections": ["ai_essay"]}


async def test_tutorial_metadata_with_an_unknown_collection_lists_the_collections(server):
    result = await call(
        server, "get_essays_metadata_from_collection", db_name="essay_database", collection_name="x"
    )
    assert result.is_error and "ai_essay" in text_of(result)


async def test_tools_are_marked_read_only_and_add_paper_is_absent_by_default(server):
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    names = {tool.name for tool in tools}
    assert "add_paper" not in names
    assert names >= {
        "search_papers",
        "list_papers",
        "get_paper",
        "read_paper",
        "get_db_collections",
    }
    assert all(tool.annotations.read_only_hint for tool in tools)
    with_schemas = {tool.name for tool in tools if tool.output_schema}
    assert with_schemas == {"search_papers", "list_papers", "get_paper", "read_paper"}


async def test_the_server_speaks_the_initialize_handshake_and_the_stateless_protocol(library):
    server = build_server(library)
    async with Client(server, mode="legacy") as client:
        legacy = await client.call_tool("list_papers", {"limit": 1})
    async with Client(server, mode="2026-07-28") as client:
        modern = await client.call_tool("list_papers", {"limit": 1})
    assert legacy.structured_content == modern.structured_content
