"""The tutorial's three tools, same names and arguments, over its own MongoDB export."""

import json

import pytest
from mcp import Client

from papershelf.core.tokens import count_tokens
from papershelf.server.app import build_server
from papershelf.server.tools import CONTENT_PAGE_TOKENS

pytestmark = [pytest.mark.anyio, pytest.mark.corpus]

SMOLVLM_OID = "69670233c375f34f0c97ff09"
DB, COLLECTION = "essay_database", "ai_essay"


@pytest.fixture
def server(tutorial_library):
    return build_server(tutorial_library)


async def test_collections_are_the_library_collections(server):
    async with Client(server) as client:
        result = await client.call_tool("get_db_collections", {"db_name": DB})
    assert json.loads(result.content[0].text) == {"db_name": DB, "collections": [COLLECTION]}


async def test_metadata_lists_essays_newest_first_with_their_object_ids(server):
    async with Client(server) as client:
        result = await client.call_tool(
            "get_essays_metadata_from_collection", {"db_name": DB, "collection_name": COLLECTION}
        )
    essays = json.loads(result.content[0].text)
    assert essays[0]["_id"] == SMOLVLM_OID
    assert [e["publish_date"] for e in essays] == sorted(
        (e["publish_date"] for e in essays), reverse=True
    )
    assert set(essays[0]) == {"_id", "title", "authors", "categories", "keywords", "publish_date"}
    assert result.structured_content["essays"][0]["_id"] == SMOLVLM_OID


async def test_content_comes_bounded_and_read_paper_continues_it_to_the_end(
    server, tutorial_library
):
    stored = tutorial_library.get_document(SMOLVLM_OID).content
    arguments = {"db_name": DB, "collection_name": COLLECTION, "essay_id": SMOLVLM_OID}
    async with Client(server) as client:
        first = await client.call_tool("get_essay_content_from_id", arguments)
        assert count_tokens(first.structured_content["content"]) <= CONTENT_PAGE_TOKENS
        assert "read_paper" in first.content[0].text
        parts, cursor = (
            [first.structured_content["content"]],
            first.structured_content["next_cursor"],
        )
        for _ in range(50):
            rest = await client.call_tool("read_paper", {"paper_id": SMOLVLM_OID, "cursor": cursor})
            parts.append(rest.structured_content["text"])
            cursor = rest.structured_content.get("next_cursor")
            if cursor is None:
                break
    assert "".join(parts) == stored


async def test_content_of_an_unknown_essay_points_to_the_metadata_tool(server):
    async with Client(server) as client:
        result = await client.call_tool(
            "get_essay_content_from_id",
            {"db_name": DB, "collection_name": COLLECTION, "essay_id": "000000000000000000000000"},
        )
    assert result.is_error
    assert "get_essays_metadata_from_collection" in result.content[0].text
