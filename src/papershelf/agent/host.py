"""`McpHost`: MCP sessions to several servers at once, their tools under `server__tool` names,
and their resources and prompts.

A pure MCP client: it knows the servers only through the protocol, so it works the same with
papershelf's own server and any other.
"""

import hashlib
import logging
import re
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool

from papershelf.agent.config import ServerSpec
from papershelf.core.errors import ConfigError, NotFound, SourceUnavailable

log = logging.getLogger(__name__)

MAX_TOOL_NAME = 64
"""OpenAI and most providers reject function names over 64 characters or outside [A-Za-z0-9_-]."""
SEPARATOR = "__"
CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class HostedTool:
    """A tool of one server, under the name the model sees."""

    qualified_name: str
    server: str
    tool: Tool

    @property
    def read_only(self) -> bool:
        annotations = self.tool.annotations
        return bool(annotations and annotations.read_only_hint)


@dataclass(frozen=True)
class HostedPrompt:
    server: str
    prompt: Prompt


class McpHost:
    """Connects to every server in `specs` (`async with`); a server that fails to start is
    reported in `failures` and left out, unless none starts at all.

    `in_process` maps server names to MCPServer objects to connect in memory (tests, embedding)."""

    def __init__(
        self,
        specs: list[ServerSpec],
        *,
        in_process: dict[str, Any] | None = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ):
        self.specs = specs
        self._in_process = in_process or {}
        self.connect_timeout_s = connect_timeout_s
        self.clients: dict[str, Client] = {}
        self.failures: dict[str, str] = {}
        self.tools: dict[str, HostedTool] = {}
        self.prompts: list[HostedPrompt] = []
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> "McpHost":
        await self._stack.__aenter__()
        try:
            for spec in self.specs:
                await self._connect(spec)
            if self.specs and not self.clients:
                problems = "; ".join(f"{n}: {p}" for n, p in self.failures.items())
                raise SourceUnavailable(f"no MCP server could be started ({problems})")
            await self._list_tools()
            await self._list_prompts()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        # No deadline here: the clients' task groups were entered outside any scope opened now.
        # The SDK's stdio client itself terminates a server that does not stop.
        await self._stack.aclose()

    def spec(self, server: str) -> ServerSpec:
        return next(s for s in self.specs if s.name == server)

    async def call_tool(
        self, qualified_name: str, arguments: dict[str, Any], timeout_s: float
    ) -> CallToolResult:
        """Call a tool by its qualified name; raises NotFound for an unknown name and
        TimeoutError when the server takes longer than `timeout_s`."""
        hosted = self.tools.get(qualified_name)
        if hosted is None:
            raise NotFound(f"no tool {qualified_name!r}")
        timeout_s = self.spec(hosted.server).timeout_s or timeout_s
        with anyio.fail_after(timeout_s):
            return await self.clients[hosted.server].call_tool(hosted.tool.name, arguments)

    async def list_resources(self) -> list[tuple[str, Resource]]:
        found: list[tuple[str, Resource]] = []
        for server, client in self.clients.items():
            if not _offers(client, "resources"):
                continue
            found += [(server, r) for r in (await client.list_resources()).resources]
        return found

    async def read_resource(self, uri: str, server: str | None = None) -> ReadResourceResult:
        """Read `uri` from `server`, or from the first server that has it."""
        candidates = (
            [server] if server else [s for s, c in self.clients.items() if _offers(c, "resources")]
        )
        errors = []
        for name in candidates:
            client = self.clients.get(name)
            if client is None:
                raise NotFound(f"no MCP server named {name!r}")
            try:
                return await client.read_resource(uri)
            except MCPError as exc:  # this server does not have it: try the next one
                errors.append(f"{name}: {exc}")
        raise NotFound(
            f"no server could read {uri!r} ({'; '.join(errors) or 'none offers resources'})"
        )

    async def get_prompt(self, name: str, arguments: dict[str, str]) -> GetPromptResult:
        """A prompt by `server__name` or, when only one server has it, by its own name."""
        matches = [
            p
            for p in self.prompts
            if name in (p.prompt.name, f"{p.server}{SEPARATOR}{p.prompt.name}")
        ]
        if not matches:
            known = ", ".join(p.prompt.name for p in self.prompts) or "none"
            raise NotFound(f"no prompt {name!r}; the servers offer: {known}")
        if len(matches) > 1:
            raise ConfigError(
                f"several servers have a prompt {name!r}: name it as server{SEPARATOR}{name}"
            )
        hosted = matches[0]
        try:
            return await self.clients[hosted.server].get_prompt(hosted.prompt.name, arguments)
        except MCPError as exc:
            raise SourceUnavailable(
                f"{hosted.server} could not give prompt {name!r}: {exc.message}"
            ) from exc

    async def _connect(self, spec: ServerSpec) -> None:
        # The handshake is bounded by the client's read timeout; an anyio deadline around
        # entering it would wrap the client's own task group and could not be exited cleanly.
        client = Client(self._target(spec), read_timeout_seconds=self.connect_timeout_s)
        try:
            await self._stack.enter_async_context(client)
        except Exception as exc:  # boundary: one broken server must not take the others down
            reason = "did not start in time" if isinstance(exc, TimeoutError) else _reason(exc)
            log.warning("MCP server %s: %s", spec.name, reason)
            self.failures[spec.name] = reason
            return
        self.clients[spec.name] = client

    def _target(self, spec: ServerSpec) -> Any:
        if spec.name in self._in_process:
            return self._in_process[spec.name]
        if spec.transport == "stdio":
            return StdioServerParameters(
                command=spec.command, args=list(spec.args), env=spec.env or None, cwd=spec.cwd
            )
        if spec.transport == "sse":
            return sse_client(spec.url, headers=spec.headers or None)
        http = create_mcp_http_client(headers=spec.headers or None)
        return streamable_http_client(spec.url, http_client=http)

    async def _list_tools(self) -> None:
        taken: set[str] = set()
        for server, client in self.clients.items():
            if not _offers(client, "tools"):
                continue
            disabled = self.spec(server).disabled_tools
            for tool in (await client.list_tools()).tools:
                if tool.name in disabled:
                    continue
                qualified = qualified_name(server, tool.name, taken)
                taken.add(qualified)
                self.tools[qualified] = HostedTool(qualified, server, tool)

    async def _list_prompts(self) -> None:
        for server, client in self.clients.items():
            if _offers(client, "prompts"):
                self.prompts += [
                    HostedPrompt(server, p) for p in (await client.list_prompts()).prompts
                ]


def qualified_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """`server__tool` with only [A-Za-z0-9_-], at most 64 characters, unique among `taken`."""
    name = f"{_safe(server)}{SEPARATOR}{_safe(tool)}"
    if len(name) <= MAX_TOOL_NAME and name not in taken:
        return name
    digest = hashlib.sha1(f"{server}/{tool}".encode()).hexdigest()[:8]
    return f"{name[: MAX_TOOL_NAME - 9]}_{digest}"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text) or "_"


def _offers(client: Client, capability: str) -> bool:
    capabilities = client.server_capabilities
    return capabilities is None or getattr(capabilities, capability, None) is not None


def _reason(exc: BaseException) -> str:
    """The innermost message of an exception (task groups wrap them)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
