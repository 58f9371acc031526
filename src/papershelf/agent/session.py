"""One agent session: MCP servers connected, a chat model chosen, an `Agent` ready to ask.

This is what `papershelf ask` and `papershelf chat` call; it picks the loop's strategy from
the model (guided for the embedded one) unless told.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from papershelf.agent.calls import Approver, CallPolicy
from papershelf.agent.config import ServerSpec, default_server, load_config, parse_server_flag
from papershelf.agent.host import McpHost
from papershelf.agent.loop import Agent, AgentEvents, AgentOptions
from papershelf.core.settings import Settings
from papershelf.llm.providers import ChosenModel, open_chat_model

StrategyChoice = Literal["auto", "native", "guided"]
EMBEDDED_ANSWER_TOKENS = 200
EMBEDDED_SEARCH_LIMIT = 3


@dataclass
class SessionRequest:
    """Everything the CLI flags say about a session."""

    llm: str = "auto"
    model: str | None = None
    config: Path | None = None
    servers: list[str] = field(default_factory=list)
    strategy: StrategyChoice = "auto"
    max_rounds: int = 5
    tool_timeout_s: float = 60.0
    max_result_tokens: int = 4000
    allow_writes: bool = False
    approve: Approver | None = None
    threads: int | None = None
    answer_max_tokens: int | None = None
    search_first: bool = True
    store: str | None = None


@dataclass
class Session:
    host: McpHost
    chosen: ChosenModel
    agent: Agent


def server_specs(settings: Settings, request: SessionRequest) -> list[ServerSpec]:
    """Servers from --config and --server; the built-in papershelf server when neither is given."""
    specs = load_config(request.config) if request.config else []
    specs += [parse_server_flag(value, n) for n, value in enumerate(request.servers)]
    return specs or [default_server(settings.home, request.store)]


@asynccontextmanager
async def open_session(
    settings: Settings,
    request: SessionRequest,
    events: AgentEvents | None = None,
    *,
    in_process: dict[str, Any] | None = None,
) -> AsyncIterator[Session]:
    specs = server_specs(settings, request)
    chosen = await open_chat_model(settings, request.llm, request.model, threads=request.threads)
    try:
        async with McpHost(specs, in_process=in_process) as host:
            for name, problem in host.failures.items():
                if events and events.on_note:
                    events.on_note(f"MCP server {name} left out: {problem}")
            agent = Agent(host, chosen.model, _options(request, chosen), events)
            yield Session(host, chosen, agent)
    finally:
        if chosen.model is not None:
            await chosen.model.aclose()


def _options(request: SessionRequest, chosen: ChosenModel) -> AgentOptions:
    strategy = request.strategy
    if strategy == "auto":
        strategy = "guided" if chosen.embedded else "native"
    small = chosen.embedded or strategy == "guided"
    return AgentOptions(
        strategy=strategy,
        max_rounds=request.max_rounds,
        calls=CallPolicy(
            timeout_s=request.tool_timeout_s,
            max_result_tokens=request.max_result_tokens,
            allow_writes=request.allow_writes,
            approve=request.approve,
        ),
        answer_max_tokens=request.answer_max_tokens or (EMBEDDED_ANSWER_TOKENS if small else None),
        temperature=0.0 if small else None,
        search_limit=EMBEDDED_SEARCH_LIMIT if small else 5,
        search_first=request.search_first,
    )
