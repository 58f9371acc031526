"""mcpServers configs in the formats MCP hosts write, and --server flags."""

import json
import sys

import pytest

from papershelf.agent.config import default_server, load_config, parse_config, parse_server_flag
from papershelf.core.errors import ConfigError


def test_claude_desktop_format_gives_stdio_servers():
    (spec,) = parse_config(
        {
            "mcpServers": {
                "papers": {"command": "uvx", "args": ["papershelf", "serve"], "env": {"A": "1"}}
            }
        }
    )
    assert (spec.name, spec.transport, spec.command, spec.args, spec.env) == (
        "papers", "stdio", "uvx", ("papershelf", "serve"), {"A": "1"},
    )  # fmt: skip


def test_cherry_studio_format_with_base_url_and_inactive_servers():
    config = {
        "mcpServers": {
            "remote": {"type": "streamableHttp", "baseUrl": "http://127.0.0.1:8000/mcp",
                       "headers": {"Authorization": "Bearer t"}, "isActive": True},
            "legacy": {"type": "sse", "baseUrl": "http://127.0.0.1:9002/sse", "isActive": True},
            "off": {"command": "x", "isActive": False},
        }
    }  # fmt: skip
    remote, legacy = parse_config(config)
    assert (remote.transport, remote.url, remote.headers) == (
        "http", "http://127.0.0.1:8000/mcp", {"Authorization": "Bearer t"},
    )  # fmt: skip
    assert (legacy.name, legacy.transport) == ("legacy", "sse")


def test_cursor_url_entries_infer_the_transport_from_the_path():
    http, sse = parse_config(
        {
            "mcpServers": {
                "a": {"url": "https://x.example/mcp"},
                "b": {"url": "https://x.example/sse"},
            }
        }
    )
    assert (http.transport, sse.transport) == ("http", "sse")


def test_vscode_servers_table_and_transport_field():
    (spec,) = parse_config(
        {"servers": {"p": {"url": "http://h/mcp", "transport": "streamable-http"}}}
    )
    assert spec.transport == "http"


def test_disabled_servers_and_disabled_tools():
    config = {
        "mcpServers": {
            "on": {"command": "a", "disabledTools": ["add_paper"], "timeout": 30},
            "off": {"command": "b", "disabled": True},
            "also_off": {"command": "c", "enabled": False},
        }
    }
    (spec,) = parse_config(config)
    assert spec.disabled_tools == frozenset({"add_paper"}) and spec.timeout_s == 30


def test_a_timeout_in_milliseconds_is_understood():
    (spec,) = parse_config({"mcpServers": {"s": {"command": "a", "timeout": 60000}}})
    assert spec.timeout_s == 60


def test_cherry_studio_list_export():
    (spec,) = parse_config(
        [{"name": "papers", "type": "stdio", "command": "papershelf", "args": ["serve"]}]
    )
    assert spec.name == "papers" and spec.args == ("serve",)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"mcpServers": {"x": {"args": []}}}, "neither a command nor a url"),
        ({"mcpServers": {"x": {"command": "a", "type": "websocket"}}}, "unknown type"),
        ({"mcpServers": {"x": {"command": "a", "args": "serve"}}}, "must be a list"),
        ({"mcpServers": {"x": "npx"}}, "must be an object"),
        ("nonsense", "expected an object"),
    ],
)
def test_invalid_entries_say_what_is_wrong(config, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(config)


def test_a_config_file_that_is_not_json_is_a_config_error(tmp_path):
    path = tmp_path / "mcp.json"
    path.write_text("{mcpServers:", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(path)


def test_a_config_file_is_read(tmp_path):
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"w": {"command": "papershelf"}}}), encoding="utf-8")
    assert [s.name for s in load_config(path)] == ["w"]


@pytest.mark.parametrize(
    ("flag", "name", "transport", "target"),
    [
        ("docs=npx -y @modelcontextprotocol/server-everything", "docs", "stdio", "npx"),
        ("http://127.0.0.1:8000/mcp", "127_0_0_1_8000_mcp", "http", "http://127.0.0.1:8000/mcp"),
        ("w=http://127.0.0.1:9002/sse", "w", "sse", "http://127.0.0.1:9002/sse"),
        ("papershelf serve", "papershelf", "stdio", "papershelf"),
    ],
)
def test_server_flags(flag, name, transport, target):
    spec = parse_server_flag(flag)
    assert (spec.name, spec.transport, spec.command or spec.url) == (name, transport, target)


def test_the_default_server_is_papershelf_over_stdio_with_the_home_passed_on(tmp_path):
    spec = default_server(tmp_path, "sqlite:///x.db")
    assert spec.command == sys.executable and spec.args == ("-m", "papershelf", "serve")
    assert spec.env["PAPERSHELF_HOME"] == str(tmp_path)
    assert spec.env["PAPERSHELF_STORE"] == "sqlite:///x.db"
