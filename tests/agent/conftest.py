import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.agent.toy_server import build_toy_server
from tests.server.papers import write_papers
from tests.support.fake_llm_server import FakeLLMServer

from papershelf.agent.config import ServerSpec
from papershelf.agent.host import McpHost
from papershelf.cli.agent_cmds import ask, chat
from papershelf.cli.main import cli
from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.llm.openai_chat import OpenAIChatModel

SERVE_ENTRY = Path(__file__).resolve().parents[1] / "server" / "serve_entry.py"
REPO = Path(__file__).resolve().parents[2]

MODEL = "test-model"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(models=(MODEL,)) as server:
        yield server


@pytest.fixture
async def chat_model(llm: FakeLLMServer) -> AsyncIterator[OpenAIChatModel]:
    model = OpenAIChatModel(llm.url, MODEL, timeout=5, retry_delay_s=0)
    yield model
    await model.aclose()


@pytest.fixture
def notes() -> list[str]:
    return []


@pytest.fixture
async def toy_host(notes: list[str]) -> AsyncIterator[McpHost]:
    spec = ServerSpec(name="toy", transport="stdio", command="unused")
    async with McpHost([spec], in_process={"toy": build_toy_server(notes)}) as host:
        yield host


def call(name: str, **arguments) -> dict:
    """A scripted tool call for the fake LLM server."""
    return {"name": name, "arguments": arguments}


@pytest.fixture
def library(tmp_path) -> Library:
    lib = Library(Settings())
    assert lib.add([str(p) for p in write_papers(tmp_path / "papers")]).ok
    yield lib
    lib.close()


@pytest.fixture
def run_cli():
    for command in (ask, chat):  # until cli/main.py registers them
        if command.name not in cli.commands:
            cli.add_command(command)

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def config(tmp_path, papershelf_home) -> Path:
    """The papershelf server as an MCP host would launch it, on this test's library."""
    path = tmp_path / "mcp.json"
    entry = {
        "command": sys.executable,
        "args": [str(SERVE_ENTRY), "serve"],
        "env": {"PAPERSHELF_HOME": str(papershelf_home), "PYTHONPATH": str(REPO)},
    }
    path.write_text(json.dumps({"mcpServers": {"papershelf": entry}}), encoding="utf-8")
    return path
