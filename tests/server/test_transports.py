"""`papershelf serve` as a real subprocess: stdio, Streamable HTTP and legacy SSE on loopback,
with Host/Origin validation and the optional bearer token."""

import sys

import httpx
import pytest
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from tests.server.conftest import SERVE_ENTRY, server_env, start_server, stop

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "0"},
    },
}
JSON_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def search_through(client: Client) -> dict:
    result = await client.call_tool("search_papers", {"query": "pixel shuffle"})
    assert not result.is_error
    return result.structured_content


async def test_stdio_subprocess_answers_a_search(library):
    params = StdioServerParameters(
        command=sys.executable,
        args=[str(SERVE_ENTRY), "serve"],
        env=server_env(library.settings.home),
    )
    async with Client(params) as client:
        found = await search_through(client)
    assert found["hits"][0]["title"].startswith("Tiny Models See Far")


@pytest.mark.parametrize("mode", ["auto", "legacy", "2026-07-28"])
async def test_streamable_http_answers_both_protocol_revisions(http_server, mode):
    async with Client(http_server.url, mode=mode) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        found = await search_through(client)
    assert "search_papers" in tools
    assert found["hits"]


async def test_legacy_sse_answers_a_search(sse_server):
    async with sse_client(sse_server.url) as streams, ClientSession(*streams) as session:
        await session.initialize()
        result = await session.call_tool("search_papers", {"query": "pixel shuffle"})
    assert result.structured_content["hits"]


async def test_a_foreign_origin_is_refused(http_server):
    async with httpx.AsyncClient() as http:
        response = await http.post(
            http_server.url,
            json=INITIALIZE,
            headers={**JSON_HEADERS, "Origin": "http://evil.example"},
        )
    assert response.status_code == 403


async def test_a_foreign_host_header_is_refused(http_server):
    async with httpx.AsyncClient() as http:
        response = await http.post(
            http_server.url, json=INITIALIZE, headers={**JSON_HEADERS, "Host": "evil.example"}
        )
    assert response.status_code == 421


async def test_a_local_origin_is_accepted(http_server):
    async with httpx.AsyncClient() as http:
        response = await http.post(
            http_server.url,
            json=INITIALIZE,
            headers={**JSON_HEADERS, "Origin": f"http://localhost:{http_server.port}"},
        )
    assert response.status_code == 200


@pytest.fixture
def token_server(library):
    running = start_server(library.settings.home, "--transport", "http", "--token", "s3cret-token")
    yield running
    stop(running.process)


async def test_with_a_token_requests_without_it_are_refused(token_server):
    async with httpx.AsyncClient() as http:
        missing = await http.post(token_server.url, json=INITIALIZE, headers=JSON_HEADERS)
        wrong = await http.post(
            token_server.url,
            json=INITIALIZE,
            headers={**JSON_HEADERS, "Authorization": "Bearer nope"},
        )
    assert missing.status_code == 401 and wrong.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")


async def test_with_a_token_a_client_that_sends_it_gets_answers(token_server):
    import httpx2

    http = httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret-token"})
    async with http, Client(streamable_http_client(token_server.url, http_client=http)) as client:
        found = await search_through(client)
    assert found["hits"]
