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
    assert [e["_id"] for e in essays][0] == SMOLVLM_OID
    assert [e["publish_date"] for e in essays] == sorted((e["publish_date"] for e in essays), reverse=True)
    assert set(essays[0]) == {"_id", "title", "authors", "categories", "keywords", "publish_date"}
    assert result.structured_content["essays"][0]["_id"] == SMOLVLM_OID


async def test_content_comes_in_bounded_parts_that_add_up_to_the_whole_paper(server, tutorial_library):
    stored = tutorial_library.get_document(SMOLVLM_OID).content
    parts, cursor = [], None
    async with Client(server) as client:
        for _ in range(10):
            arguments = {"db_name": DB, "collection_name": COLLECTION, "essay_id": SMOLVLM_OID}
            if cursor:
                arguments["cursor"] = cursor
            result = await client.call_tool("get_essay_content_from_id", arguments)
            assert count_tokens(result.content[0].text) <= CONTENT_PAGE_TOKENS + 150
            parts.append(result.structured_content["content"])
            cursor = result.structured_content["next_cursor"]
            if cursor is None:
                break
    assert len(parts) >= 2, "SmolVLM is longer than one part"
    assert "".join(parts) == stored


async def test_content_of_an_unknown_essay_points_to_the_metadata_tool(server):
    async with Client(server) as client:
        result = await client.call_tool(
            "get_essay_content_from_id",
            {"db_name": DB, "collection_name": COLLECTION, "essay_id": "000000000000000000000000"},
        )
    assert result.is_error
    assert "get_essays_metadata_from_collection" in result.content[0].text
