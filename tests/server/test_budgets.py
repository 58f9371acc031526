"""Token budgets: tool definitions, search results, read pages; and the tool contract snapshot."""

import json
import os
from pathlib import Path

import pytest
from mcp import Client

from papershelf.core.tokens import count_tokens
from papershelf.server.app import build_server
from papershelf.server.schema import definition_tokens, tool_definitions
from papershelf.server.security import WritePolicy

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(__file__).with_name("tool_definitions.snapshot.json")
UPDATE = os.environ.get("PAPERSHELF_UPDATE_SNAPSHOTS") == "1"
DEFINITIONS_BUDGET = 2000
SEARCH_BUDGET = 1500


async def listed_tools(server):
    async with Client(server) as client:
        return (await client.list_tools()).tools


async def test_all_tool_definitions_together_stay_under_2000_tokens(library):
    tools = await listed_tools(build_server(library, write_policy=WritePolicy()))
    assert len(tools) == 8
    assert definition_tokens(tools) < DEFINITIONS_BUDGET


async def test_tool_definitions_match_the_snapshot(library):
    """A change to a tool's name, description or schema is a contract change: update the snapshot
    on purpose with PAPERSHELF_UPDATE_SNAPSHOTS=1."""
    tools = await listed_tools(build_server(library, write_policy=WritePolicy()))
    current = {
        "tokens": definition_tokens(tools),
        "tools": tool_definitions(tools),
        "annotations": {t.name: t.annotations.model_dump(exclude_none=True) for t in tools},
    }
    if UPDATE or not SNAPSHOT.exists():
        SNAPSHOT.write_text(
            json.dumps(current, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == current


@pytest.mark.parametrize(
    "query", ["experiments settings seeds runs", "pixel shuffle tokens", "实验 随机 种子"]
)
async def test_a_default_search_result_stays_under_1500_tokens(server, query):
    async with Client(server) as client:
        result = await client.call_tool("search_papers", {"query": query})
    assert result.structured_content["hits"]
    assert count_tokens(result.content[0].text) < SEARCH_BUDGET
    assert count_tokens(json.dumps(result.structured_content, ensure_ascii=False)) < SEARCH_BUDGET


@pytest.mark.parametrize("max_tokens", [200, 700, 3000])
async def test_read_pages_respect_max_tokens(server, library, max_tokens):
    paper_id = next(p.id for p in library.list() if p.title.startswith("Tiny Models"))
    async with Client(server) as client:
        result = await client.call_tool(
            "read_paper", {"paper_id": paper_id, "max_tokens": max_tokens}
        )
    assert count_tokens(result.structured_content["text"]) <= max_tokens
