"""The official MCP Inspector, in CLI mode, against `papershelf serve` over stdio and HTTP."""

import json
import subprocess
import sys

import pytest

from tests.server.conftest import SERVE_ENTRY
from tests.server.node import INSPECTOR, node22_env

pytestmark = pytest.mark.slow
NPX_TIMEOUT_S = 300


def inspector(*args: str, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        ["npx", "-y", INSPECTOR, "--cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=NPX_TIMEOUT_S,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)


def stdio_target(home) -> list[str]:
    # The Inspector starts the server with a minimal environment: PAPERSHELF_HOME goes with -e.
    return [sys.executable, str(SERVE_ENTRY), "serve", "-e", f"PAPERSHELF_HOME={home}"]


def test_the_inspector_lists_the_tools_over_stdio(library):
    listed = inspector(
        *stdio_target(library.settings.home), "--method", "tools/list", env=node22_env()
    )
    names = {tool["name"] for tool in listed["tools"]}
    assert {
        "search_papers",
        "list_papers",
        "get_paper",
        "read_paper",
        "get_db_collections",
    } <= names


def test_the_inspector_calls_search_papers_over_stdio(library):
    called = inspector(
        *stdio_target(library.settings.home),
        "--method",
        "tools/call",
        "--tool-name",
        "search_papers",
        "--tool-arg",
        "query=pixel shuffle",
        "--tool-arg",
        "limit=2",
        env=node22_env(),
    )
    assert not called.get("isError")
    hits = called["structuredContent"]["hits"]
    assert hits and hits[0]["title"].startswith("Tiny Models See Far")


def test_the_inspector_calls_search_papers_over_streamable_http(http_server):
    called = inspector(
        http_server.url,
        "--transport",
        "http",
        "--method",
        "tools/call",
        "--tool-name",
        "search_papers",
        "--tool-arg",
        "query=stereo matching",
        env=node22_env(),
    )
    assert called["structuredContent"]["hits"]
