"""`papershelf ask` and `papershelf chat`: the MCP host that answers with citations.

The commands import the host (cli/agent_run.py, which loads the MCP SDK) only when they run, so
other commands start without it."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from papershelf.cli.context import AppContext, pass_app


def session_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--llm", default="auto", show_default=True,
                     help="auto (the configured endpoint if it answers, else the embedded model), "
                          "embedded, none (passages only), or an OpenAI-compatible base URL."),
        click.option("--model", default=None,
                     help="Model name at the endpoint (default: $OLLAMA_MODEL), or a .gguf file "
                          "for the embedded model."),
        click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="mcpServers JSON (Claude Desktop, Cherry Studio, Cursor, VS Code formats)."),
        click.option("--server", "servers", multiple=True,
                     help="An MCP server: [NAME=]COMMAND ARGS or [NAME=]URL (repeatable). "
                          "Default: the built-in papershelf server."),
        click.option("--strategy", type=click.Choice(["auto", "native", "guided"]), default="auto",
                     show_default=True,
                     help="native: the model calls tools; guided: search first, then a constrained "
                          "answer (small models). auto: guided for the embedded model."),
        click.option("--max-rounds", type=click.IntRange(1, 50), default=5, show_default=True,
                     help="Tool rounds before an answer is forced."),
        click.option("--tool-timeout", type=click.FloatRange(0.1), default=60.0, show_default=True,
                     help="Seconds one tool call may take."),
        click.option("--max-tokens", "answer_max_tokens", type=click.IntRange(16), default=None,
                     help="Longest answer, tokens (default: 200 for small models, else the model's)."),
        click.option("--search-first/--no-search-first", default=True, show_default=True,
                     help="Search with the question before the model's first turn (saves a round)."),
        click.option("--threads", type=click.IntRange(1, 256), default=None,
                     help="CPU threads of the embedded model (default: all cores, at most 8)."),
        click.option("-y", "--yes", is_flag=True,
                     help="Run tools that may change data without asking (no readOnlyHint)."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@click.command()
@click.argument("question", nargs=-1, required=True)
@session_options
@click.option("--json", "as_json", is_flag=True,
              help="Print {answer, citations, tool_calls, model, rounds, tokens} as JSON.")  # fmt: skip
@pass_app
def ask(app: AppContext, question: tuple[str, ...], as_json: bool, **flags: Any) -> None:
    """Answer QUESTION from the library, with citations of the passages read."""
    from papershelf.cli.agent_run import ask_once

    text = " ".join(question).strip()
    if not text:
        raise click.UsageError("the question is empty")
    ask_once(app, text, as_json, flags)


@click.command()
@session_options
@click.option("--resume", is_flag=True, help="Continue from the last saved turns of the history.")
@pass_app
def chat(app: AppContext, resume: bool, **flags: Any) -> None:
    """Chat about the library: ask questions, use the servers' prompts and resources ('quit' ends)."""
    from papershelf.cli.agent_run import chat_loop

    chat_loop(app, resume, flags)
