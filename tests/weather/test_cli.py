"""`papershelf weather serve`: its options, and the transport each one starts."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from mcp.server.mcpserver import MCPServer

from papershelf.cli.main import cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "weather.md"


@pytest.fixture
def started(monkeypatch) -> list[tuple[str, dict]]:
    """Records MCPServer.run calls instead of serving."""
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        MCPServer, "run", lambda self, transport, **kw: calls.append((transport, kw))
    )
    return calls


def test_serve_help_names_the_transports_and_the_tutorial_port():
    result = CliRunner().invoke(cli, ["weather", "serve", "--help"])
    assert result.exit_code == 0
    assert "[stdio|http|sse]" in result.output
    assert "default: 9001" in result.output
    assert "/mcp" in result.output and "/sse" in result.output


def test_stdio_is_the_default_transport(started):
    result = CliRunner().invoke(cli, ["weather", "serve"])
    assert result.exit_code == 0, result.output
    assert started == [("stdio", {})]


def test_http_serves_streamable_http_on_the_given_address(started):
    result = CliRunner().invoke(
        cli, ["weather", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8123"]
    )
    assert result.exit_code == 0, result.output
    assert started == [("streamable-http", {"host": "0.0.0.0", "port": 8123})]


def test_sse_listens_on_loopback_port_9001_by_default(started):
    result = CliRunner().invoke(cli, ["weather", "serve", "--transport", "sse"])
    assert result.exit_code == 0, result.output
    assert started == [("sse", {"host": "127.0.0.1", "port": 9001})]


def test_an_unknown_transport_is_a_usage_error(started):
    result = CliRunner().invoke(cli, ["weather", "serve", "--transport", "websocket"])
    assert result.exit_code == 2
    assert started == []


def test_the_documented_agent_config_runs_papers_and_weather_together():
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    configs = [json.loads(block)["mcpServers"] for block in blocks if '"mcpServers"' in block]
    together = [c for c in configs if len(c) >= 2]
    assert together, "docs/weather.md shows no mcpServers config with both servers"
    commands = {" ".join([s["command"], *s.get("args", [])]) for s in together[0].values()}
    assert {"papershelf serve", "papershelf weather serve"} <= commands
