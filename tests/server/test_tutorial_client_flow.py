"""The tutorial's own client flow, unchanged, against `papershelf serve --transport sse` over the
tutorial's export: connect to /sse, initialize, list tools, then get_db_collections ->
get_essays_metadata_from_collection -> get_essay_content_from_id, reading `content[0].text`."""

import json

import pytest
from mcp import ClientSession
from mcp.client.sse import sse_client

from papershelf.server.rendering import FENCE
from tests.server.conftest import start_server, stop

pytestmark = [pytest.mark.anyio, pytest.mark.corpus]


@pytest.fixture
def tutorial_sse_server(tutorial_library):
    running = start_server(tutorial_library.settings.home, "--transport", "sse")
    yield running
    stop(running.process)


async def test_the_tutorial_client_reaches_a_paper_through_its_three_tools(
    tutorial_sse_server, tutorial_library
):
    async with (
        sse_client(url=tutorial_sse_server.url) as streams,
        ClientSession(*streams) as session,
    ):
        await session.initialize()
        tools = (await session.list_tools()).tools  # the tutorial's SDK 1.x spells it t.inputSchema
        available = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "input_schema": t.input_schema,
                },
            }
            for t in tools
        ]
        names = {tool["function"]["name"] for tool in available}
        assert {
            "get_db_collections",
            "get_essays_metadata_from_collection",
            "get_essay_content_from_id",
        } <= names

        step1 = await session.call_tool("get_db_collections", {"db_name": "essay_database"})
        collections = json.loads(step1.content[0].text)["collections"]
        assert collections == ["ai_essay"]

        step2 = await session.call_tool(
            "get_essays_metadata_from_collection",
            {"db_name": "essay_database", "collection_name": collections[0]},
        )
        essays = json.loads(step2.content[0].text)
        smolvlm = next(e for e in essays if "SmolVLM" in e["title"])

        step3 = await session.call_tool(
            "get_essay_content_from_id",
            {
                "db_name": "essay_database",
                "collection_name": collections[0],
                "essay_id": smolvlm["_id"],
            },
        )
        text = step3.content[0].text
        assert text.startswith(f'<{FENCE} source="arxiv:2504.05299">')
        assert "pixel shuffle" in text.lower()

        # The rest of the paper, as the text of step 3 tells the model to get it.
        parts, cursor = (
            [step3.structured_content["content"]],
            step3.structured_content["next_cursor"],
        )
        while cursor:
            more = await session.call_tool(
                "read_paper", {"paper_id": smolvlm["_id"], "cursor": cursor}
            )
            parts.append(more.structured_content["text"])
            cursor = more.structured_content.get("next_cursor")
    assert "".join(parts) == tutorial_library.get_document(smolvlm["_id"]).content
