"""`papershelf ask` end to end: the real papershelf server over stdio, a scripted LLM endpoint."""

import json

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client
from tests.agent.conftest import MODEL, call
from tests.support.fake_llm_server import closed_port_url

from papershelf.cli.main import cli
from papershelf.library import Library
from papershelf.server.app import build_server

QUESTION = "How does pixel shuffle help small models?"


def first_citation(library: Library, query: str) -> str:
    async def search() -> str:
        async with Client(build_server(library)) as client:
            result = await client.call_tool("search_papers", {"query": query, "limit": 1})
        return result.structured_content["hits"][0]["citation"]

    return anyio.run(search)


def test_ask_answers_with_a_citation_through_the_stdio_server(run_cli, config, library, llm):
    marker = first_citation(library, QUESTION)
    llm.reply(None, tool_calls=[call("papershelf__read_paper", paper_id="x", page=1)])
    llm.reply(f"It packs 4x4 patches into one token {marker}.")

    result = run_cli(
        "ask", "--config", str(config), "--llm", llm.url, "--model", MODEL, "--json", QUESTION
    )

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["answer"] == f"It packs 4x4 patches into one token {marker}."
    assert [c["marker"] for c in answer["citations"]] == [marker]
    assert answer["citations"][0]["title"].startswith("Tiny Models See Far")
    search, read = answer["tool_calls"]
    assert (
        search["name"] == "papershelf__search_papers" and search["arguments"]["query"] == QUESTION
    )
    assert read["name"] == "papershelf__read_paper" and read["status"] == "error"
    assert answer["rounds"] == 3 and answer["model"].startswith(MODEL)
    first_request = llm.chat_requests[0]
    assert marker in first_request["messages"][-1]["content"]  # searched before the first turn


def test_the_model_can_be_left_to_search_itself(run_cli, config, library, llm):
    llm.reply(None, tool_calls=[call("papershelf__search_papers", query="pixel shuffle")])
    llm.reply("Done.")

    result = run_cli("ask", "--config", str(config), "--llm", llm.url, "--model", MODEL,
                     "--no-search-first", "--json", QUESTION)  # fmt: skip

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tool_calls"][0]["arguments"] == {"query": "pixel shuffle"}
    tools = {t["function"]["name"] for t in llm.chat_requests[0]["tools"]}
    assert "papershelf__search_papers" in tools


def test_ask_prints_the_answer_then_its_sources(run_cli, config, library, llm):
    marker = first_citation(library, QUESTION)
    llm.reply(f"Compression {marker}.")

    result = run_cli("ask", "--config", str(config), "--llm", llm.url, "--model", MODEL, QUESTION)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Compression {marker}.")
    assert f"Sources:\n[1] {marker} Tiny Models See Far" in result.stdout


def test_without_any_llm_ask_answers_with_cited_passages_and_says_so(
    run_cli, config, library, monkeypatch
):
    monkeypatch.setenv("OLLAMA_BASE_URL", closed_port_url())
    monkeypatch.setattr("papershelf.llm.model_files.bundled_gguf", lambda: None)

    result = run_cli("ask", "--config", str(config), "--json", QUESTION)

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["model"] == "none" and answer["stop_reason"] == "no_model"
    assert answer["citations"] and answer["answer"].startswith("- [")
    assert "embedded model cannot run" in result.stderr
    assert any("no language model ran" in note for note in answer["notes"])


def test_an_unreachable_llm_url_is_a_one_line_error(run_cli, config, library):
    result = CliRunner().invoke(
        cli,
        ["ask", "--config", str(config), "--llm", closed_port_url(), "q"],
        catch_exceptions=True,
    )
    assert result.exit_code == 1
    assert "cannot reach the LLM endpoint" in result.stderr


@pytest.mark.skipif("serve" not in cli.commands, reason="cli/main.py does not register `serve` yet")
def test_the_default_server_is_the_built_in_one(run_cli, library):
    result = run_cli("ask", "--llm", "none", "--json", QUESTION)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tool_calls"][0]["name"] == "papershelf__search_papers"
