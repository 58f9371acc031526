"""The host: several servers at once, namespaced tools, schemas for providers, prompts, resources."""

import pytest
from tests.agent.toy_server import build_toy_server

from papershelf.agent.config import ServerSpec
from papershelf.agent.host import McpHost, qualified_name
from papershelf.agent.tools_mapping import clean_schema
from papershelf.core.errors import NotFound

pytestmark = pytest.mark.anyio


def spec(name: str) -> ServerSpec:
    return ServerSpec(name=name, transport="stdio", command="unused")


async def test_tools_of_several_servers_are_namespaced_by_server():
    servers = {"one": build_toy_server(), "two": build_toy_server()}
    async with McpHost([spec("one"), spec("two")], in_process=servers) as host:
        assert {"one__search_papers", "two__search_papers"} <= set(host.tools)
        result = await host.call_tool("two__search_papers", {"query": "x", "limit": 1}, 5)
    assert len(result.structured_content["hits"]) == 1


async def test_disabled_tools_are_not_offered():
    toy = ServerSpec(name="toy", transport="stdio", command="x", disabled_tools=frozenset({"hang"}))
    async with McpHost([toy], in_process={"toy": build_toy_server()}) as host:
        assert "toy__hang" not in host.tools and "toy__broken" in host.tools


async def test_a_server_that_cannot_start_is_left_out_and_reported():
    broken = ServerSpec(name="gone", transport="stdio", command="/nonexistent/mcp-server")
    async with McpHost([spec("toy"), broken], in_process={"toy": build_toy_server()}) as host:
        assert "gone" in host.failures and list(host.clients) == ["toy"]


async def test_prompts_and_resources_are_reachable():
    async with McpHost([spec("toy")], in_process={"toy": build_toy_server()}) as host:
        prompt = await host.get_prompt("summarize_paper", {"paper_id": "arxiv:1"})
        same = await host.get_prompt("toy__summarize_paper", {"paper_id": "arxiv:1"})
        resource = await host.read_resource("paper://arxiv:1")
        with pytest.raises(NotFound, match="summarize_paper"):
            await host.get_prompt("nope", {})
    assert "arxiv:1" in prompt.messages[0].content.text
    assert same.messages[0].content.text == prompt.messages[0].content.text
    assert resource.contents[0].text == "metadata of arxiv:1"


def test_qualified_names_fit_provider_rules():
    name = qualified_name("my server.v2", "a" * 80)
    assert len(name) <= 64 and all(c.isalnum() or c in "_-" for c in name)
    assert qualified_name("s", "tool") == "s__tool"
    assert qualified_name("s", "tool", {"s__tool"}) != "s__tool"


def test_schemas_are_cleaned_of_what_providers_reject():
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Args",
        "type": "object",
        "properties": {
            "paper_id": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "default": None,
                "title": "P",
            },
            "filter": {"$ref": "#/$defs/Filter"},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        },
        "required": ["filter", "ghost"],
        "$defs": {"Filter": {"type": "object", "properties": {"year": {"type": "integer"}}}},
    }

    cleaned = clean_schema(schema)

    assert "$schema" not in cleaned and "$defs" not in cleaned and "title" not in cleaned
    assert cleaned["properties"]["paper_id"] == {"type": "string"}
    assert cleaned["properties"]["filter"]["properties"]["year"] == {"type": "integer"}
    assert cleaned["properties"]["tags"]["type"] == "array"
    assert cleaned["required"] == ["filter"]


def test_a_schema_without_properties_still_is_an_object():
    assert clean_schema({}) == {"type": "object", "properties": {}}
