"""What `papershelf ask` and `papershelf chat` run: a session with the MCP servers and the model,
its answers and sources printed (the commands themselves are in cli/agent_cmds.py)."""

import sys
from typing import Any

import anyio
import anyio.to_thread
import click

from papershelf.agent.calls import ToolCallRecord
from papershelf.agent.chat_session import ChatTurns
from papershelf.agent.citations import sources_block
from papershelf.agent.history import ChatHistory, history_path
from papershelf.agent.host import HostedTool
from papershelf.agent.loop import AgentEvents, AgentResult
from papershelf.agent.session import SessionRequest, open_session
from papershelf.cli.context import AppContext, emit_json


def ask_once(app: AppContext, question: str, as_json: bool, flags: dict[str, Any]) -> None:
    request = _request(app, flags)
    live = not as_json and sys.stdout.isatty()
    result = anyio.run(_ask_once, app, request, question, _events(live, quiet=as_json))
    if as_json:
        emit_json(result.as_json())
        return
    if live:
        click.echo()
    else:
        click.echo(result.answer)
    _print_sources(result)


def chat_loop(app: AppContext, resume: bool, flags: dict[str, Any]) -> None:
    request = _request(app, flags)
    history = ChatHistory(history_path(app.settings.home))
    if resume:
        click.echo(f"(resumed {history.resume()} earlier turns)", err=True)
    anyio.run(_chat_loop, app, request, history)


async def _ask_once(
    app: AppContext, request: SessionRequest, question: str, events: AgentEvents
) -> AgentResult:
    async with open_session(app.settings, request, events) as session:
        _note(session.chosen.note)
        return await session.agent.ask(question)


async def _chat_loop(app: AppContext, request: SessionRequest, history: ChatHistory) -> None:
    live = sys.stdout.isatty()
    async with open_session(app.settings, request, _events(live, quiet=False)) as session:
        _note(session.chosen.note)
        click.echo("papershelf chat: ask about your papers; /help for commands, 'quit' ends.")
        turns = ChatTurns(session, history)
        while True:
            try:
                line = await anyio.to_thread.run_sync(_read_line)
            except EOFError:
                break
            reply = await turns.handle(line)
            if reply.done:
                break
            if reply.result is not None:
                if not live:
                    click.echo(reply.result.answer)
                _print_sources(reply.result)
            elif reply.text:
                click.echo(reply.text)


def _read_line() -> str:
    return input("\n? ")


def _request(app: AppContext, flags: dict[str, Any]) -> SessionRequest:
    yes = flags.pop("yes")
    interactive = sys.stdin.isatty()
    return SessionRequest(
        llm=flags["llm"],
        model=flags["model"],
        config=flags["config"],
        servers=list(flags["servers"]),
        strategy=flags["strategy"],
        max_rounds=flags["max_rounds"],
        tool_timeout_s=flags["tool_timeout"],
        answer_max_tokens=flags["answer_max_tokens"],
        threads=flags["threads"],
        search_first=flags["search_first"],
        allow_writes=yes,
        approve=_ask_user if interactive and not yes else None,
        store=app.settings.store,
    )


async def _ask_user(tool: HostedTool, arguments: dict[str, Any]) -> bool:
    question = f"Run {tool.qualified_name} {arguments} (it may change data)?"
    return await anyio.to_thread.run_sync(lambda: click.confirm(question, default=False, err=True))


def _events(live: bool, *, quiet: bool) -> AgentEvents:
    def on_tool_call(record: ToolCallRecord) -> None:
        if not quiet:
            click.secho(f"→ {record.name} {record.arguments}", err=True, dim=True)

    def on_text(text: str) -> None:
        click.echo(text, nl=False)

    return AgentEvents(
        on_text=on_text if live else None,
        on_tool_call=on_tool_call,
        on_note=None if quiet else _note,
    )


def _note(text: str) -> None:
    click.secho(f"({text})", err=True, dim=True)


def _print_sources(result: AgentResult) -> None:
    block = sources_block(result.citations)
    if block:
        click.echo("\n" + block)
    elif result.stop_reason not in ("no_passages",):
        click.echo("\n(no sources cited)")
