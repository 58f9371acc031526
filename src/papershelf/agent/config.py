"""Which MCP servers the host connects to: an `mcpServers` JSON file in any of the common host
formats (Claude Desktop, Cherry Studio, Cursor, VS Code, Cline, Windsurf), `--server` flags, or
by default the built-in papershelf server over stdio."""

import json
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from papershelf.core.errors import ConfigError

Transport = Literal["stdio", "http", "sse"]
DEFAULT_SERVER_NAME = "papershelf"
# What a papershelf server child needs from this process to open the same library.
PASSED_TO_PAPERSHELF = ("PYTHONPATH", "VIRTUAL_ENV", "MONGO_URI", "DB_NAME", "COLLECTION_NAME")
# The tutorial's tools stay on the server for the tutorial's own client; the host's model has
# search_papers and read_paper, and every tool definition costs tokens in every request.
TUTORIAL_TOOLS = frozenset(
    {"get_db_collections", "get_essays_metadata_from_collection", "get_essay_content_from_id"}
)

_SERVER_TABLES = ("mcpServers", "servers", "context_servers", "mcp_servers")
_TRANSPORT_NAMES: dict[str, Transport] = {
    "stdio": "stdio",
    "sse": "sse",
    "http": "http",
    "streamable-http": "http",
    "streamable_http": "http",
    "streamablehttp": "http",
    "shttp": "http",
}


@dataclass(frozen=True)
class ServerSpec:
    """How to reach one MCP server."""

    name: str
    transport: Transport
    command: str = ""
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    disabled_tools: frozenset[str] = frozenset()
    timeout_s: float | None = None

    def describe(self) -> str:
        if self.transport == "stdio":
            return f"{self.name}: {shlex.join([self.command, *self.args])} (stdio)"
        return (
            f"{self.name}: {self.url} ({'Streamable HTTP' if self.transport == 'http' else 'SSE'})"
        )


def default_server(home: Path, store: str | None = None) -> ServerSpec:
    """The built-in papershelf server, run by this Python over stdio, on the same library.

    The stdio client passes children only a handful of variables (PATH, HOME, ...), so the
    library's location and settings are passed explicitly."""
    env = {k: v for k, v in os.environ.items() if k.startswith("PAPERSHELF_")}
    env.update({k: os.environ[k] for k in PASSED_TO_PAPERSHELF if k in os.environ})
    env["PAPERSHELF_HOME"] = str(home)
    if store:
        env["PAPERSHELF_STORE"] = store
    return ServerSpec(
        name=DEFAULT_SERVER_NAME,
        transport="stdio",
        command=sys.executable,
        args=("-m", "papershelf", "serve"),
        env=env,
        disabled_tools=TUTORIAL_TOOLS,
    )


def load_config(path: Path) -> list[ServerSpec]:
    """The enabled servers of an mcpServers JSON file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the MCP config {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc}); fix it or pass --server") from exc
    return parse_config(document, source=str(path))


def parse_config(document: Any, source: str = "the MCP config") -> list[ServerSpec]:
    """The enabled servers of a parsed config: {"mcpServers": {name: entry}} (or "servers",
    "context_servers"), a bare {name: entry} mapping, or Cherry Studio's list of entries."""
    table = _server_table(document, source)
    specs = []
    for name, entry in table:
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: server {name!r} must be an object")
        if _is_disabled(entry):
            continue
        specs.append(_spec_of(str(name), entry, source))
    _check_unique([s.name for s in specs], source)
    return specs


def parse_server_flag(value: str, index: int = 0) -> ServerSpec:
    """A `--server` value: `[NAME=]URL` or `[NAME=]COMMAND ARGS...`."""
    name = ""
    head, sep, rest = value.partition("=")
    if sep and re.fullmatch(r"[A-Za-z0-9_.-]+", head) and not head.startswith(("http", "-")):
        name, value = head, rest
    value = value.strip()
    if not value:
        raise ConfigError("--server needs a URL or a command, e.g. --server 'docs=npx -y pkg'")
    if re.match(r"https?://", value):
        entry: dict[str, Any] = {"url": value}
        fallback = re.sub(r"[^A-Za-z0-9]+", "_", value.split("://", 1)[1]).strip("_")[:24]
    else:
        words = shlex.split(value)
        entry = {"command": words[0], "args": words[1:]}
        fallback = Path(words[0]).stem or f"server{index}"
    return _spec_of(name or fallback or f"server{index}", entry, "--server")


def _server_table(document: Any, source: str) -> list[tuple[str, Any]]:
    if isinstance(document, dict):
        for key in _SERVER_TABLES:
            if key in document:
                return _server_table(document[key], source)
        mcp = document.get("mcp")
        if isinstance(mcp, dict) and "servers" in mcp:  # VS Code settings.json
            return _server_table(mcp["servers"], source)
        return list(document.items())
    if isinstance(document, list):  # Cherry Studio exports a list of server objects
        return [(str(entry.get("name") or f"server{i}"), entry) for i, entry in enumerate(document)
                if isinstance(entry, dict)]  # fmt: skip
    raise ConfigError(
        f"{source}: expected an object with mcpServers, got {type(document).__name__}"
    )


def _is_disabled(entry: dict[str, Any]) -> bool:
    return (
        bool(entry.get("disabled"))
        or entry.get("isActive") is False
        or entry.get("enabled") is False
    )


def _spec_of(name: str, entry: dict[str, Any], source: str) -> ServerSpec:
    url = entry.get("url") or entry.get("baseUrl") or entry.get("serverUrl") or ""
    transport = _transport_of(entry, url, name, source)
    disabled_tools = frozenset(
        str(t) for t in entry.get("disabledTools") or entry.get("disabled_tools") or []
    )
    timeout = entry.get("timeout")
    common: dict[str, Any] = {
        "name": name,
        "transport": transport,
        "disabled_tools": disabled_tools,
        "timeout_s": _seconds(timeout)
        if isinstance(timeout, int | float) and timeout > 0
        else None,
    }
    if transport == "stdio":
        command = entry.get("command")
        if not command or not isinstance(command, str):
            raise ConfigError(f"{source}: server {name!r} has neither a command nor a url")
        args = entry.get("args") or []
        if not isinstance(args, list):
            raise ConfigError(f"{source}: the args of server {name!r} must be a list")
        return ServerSpec(
            command=command,
            args=tuple(str(a) for a in args),
            env={str(k): str(v) for k, v in (entry.get("env") or {}).items()},
            cwd=entry.get("cwd") or None,
            **common,
        )
    return ServerSpec(
        url=str(url),
        headers={str(k): str(v) for k, v in (entry.get("headers") or {}).items()},
        **common,
    )


def _transport_of(entry: dict[str, Any], url: str, name: str, source: str) -> Transport:
    declared = entry.get("type") or entry.get("transport")
    if isinstance(declared, dict):  # {"transport": {"type": "sse"}} in a few hosts
        declared = declared.get("type")
    if declared:
        key = str(declared).lower().replace(" ", "")
        if key not in _TRANSPORT_NAMES:
            raise ConfigError(
                f"{source}: server {name!r} has an unknown type {declared!r}: use stdio, http "
                "(Streamable HTTP) or sse"
            )
        return _TRANSPORT_NAMES[key]
    if url:
        return "sse" if url.rstrip("/").endswith("/sse") else "http"
    return "stdio"


def _seconds(value: float) -> float:
    """Timeouts in seconds; values above an hour were written in milliseconds (Cline, Cursor)."""
    return value / 1000 if value > 3600 else float(value)


def _check_unique(names: list[str], source: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{source}: two servers are named {name!r}")
        seen.add(name)
