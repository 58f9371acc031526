"""Resources (metadata, paged text, sections), completion of paper ids, and prompts."""

import json

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import PromptReference, ResourceTemplateReference

from papershelf.server.resources import paper_uri

pytestmark = pytest.mark.anyio


def tiny_id(library) -> str:
    return next(p.id for p in library.list() if p.title.startswith("Tiny Models"))


async def test_templates_are_listed(server):
    async with Client(server) as client:
        templates = (await client.list_resource_templates()).resource_templates
    assert {t.uri_template for t in templates} == {
        "paper://{paper_id}",
        "paper://{paper_id}/text{?cursor}",
        "paper://{paper_id}/sections/{n}",
    }


async def test_paper_resource_accepts_the_encoded_and_the_raw_id(server, library):
    paper_id = tiny_id(library)
    async with Client(server) as client:
        encoded = await client.read_resource(paper_uri(paper_id))
        raw = await client.read_resource(f"paper://{paper_id}")
    assert json.loads(encoded.contents[0].text)["paper_id"] == paper_id
    assert encoded.contents[0].text == raw.contents[0].text
    assert "%3A" in paper_uri(paper_id)


async def test_paper_text_resource_pages_to_the_end(server, library):
    paper_id = tiny_id(library)
    async with Client(server) as client:
        first = (await client.read_resource(paper_uri(paper_id, "/text"))).contents[0].text
    assert "<paper_text" in first and first.rstrip().endswith("End.")


async def test_section_resource_reads_one_section(server, library):
    paper_id = tiny_id(library)
    results = next(
        s for s in library.get_document(paper_id).sections if s.heading.endswith("3 Results")
    )
    async with Client(server) as client:
        text = (
            (await client.read_resource(paper_uri(paper_id, f"/sections/{results.ordinal}")))
            .contents[0]
            .text
        )
    assert "81.6 percent" in text and "4x4 block" not in text


async def test_an_unknown_paper_is_a_resource_not_found_error(server):
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.read_resource(paper_uri("arxiv:0000.00000"))
    assert "no paper" in str(raised.value)


async def test_paper_ids_complete_from_a_prefix(server, library):
    async with Client(server) as client:
        completion = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="paper://{paper_id}"),
            {"name": "paper_id", "value": "doc:"},
        )
    assert sorted(completion.completion.values) == sorted(p.id for p in library.list())


async def test_paper_ids_complete_from_a_title_word(server, library):
    async with Client(server) as client:
        completion = await client.complete(
            PromptReference(type="ref/prompt", name="summarize_paper"),
            {"name": "paper_id", "value": "tiny"},
        )
    assert completion.completion.values == [tiny_id(library)]


async def test_prompts_summarise_compare_and_review(server, library):
    ids = [p.id for p in library.list()][:2]
    async with Client(server) as client:
        names = {p.name for p in (await client.list_prompts()).prompts}
        summary = await client.get_prompt("summarize_paper", {"paper_id": ids[0]})
        compare = await client.get_prompt("compare_papers", {"paper_ids": ",".join(ids)})
        review = await client.get_prompt("literature_review", {"topic": "visual token compression"})
    assert names == {"summarize_paper", "compare_papers", "literature_review"}
    assert ids[0] in summary.messages[0].content.text
    assert all(i in compare.messages[0].content.text for i in ids)
    assert "search_papers" in review.messages[0].content.text


async def test_a_prompt_for_an_unknown_paper_is_an_error_that_says_why(server):
    async with Client(server) as client:
        with pytest.raises(MCPError, match="no paper 'nope'"):
            await client.get_prompt("summarize_paper", {"paper_id": "nope"})
        with pytest.raises(MCPError, match="give 2 to"):
            await client.get_prompt("compare_papers", {"paper_ids": "one-id-only"})
