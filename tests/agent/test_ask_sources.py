"""The sources list `papershelf ask` ends with: one line per source, each saying where once."""

import anyio
from mcp import Client
from tests.agent.conftest import MODEL

from papershelf.agent.citations import Source
from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.server.app import build_server

NOTE = "# Token Budgets for Small Models\n\nSmall models read few tokens, so every token counts.\n"


def only_citation(library: Library, query: str) -> str:
    async def search() -> str:
        async with Client(build_server(library)) as client:
            result = await client.call_tool("search_papers", {"query": query, "limit": 1})
        return result.structured_content["hits"][0]["citation"]

    return anyio.run(search)


def test_a_paper_whose_only_section_is_its_title_is_named_once_in_its_source_line(
    run_cli, config, tmp_path, llm
):
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    with Library(Settings()) as library:
        assert library.add([str(note)]).ok
        marker = only_citation(library, "token budgets")
    llm.reply(f"Every token counts {marker}.")

    result = run_cli("ask", "--config", str(config), "--llm", llm.url, "--model", MODEL, "q")

    assert result.exit_code == 0, result.output
    sources = result.stdout.split("Sources:\n", 1)[1].strip().splitlines()
    assert len(sources) == 1
    assert sources[0].count("Token Budgets for Small Models") == 1 + marker.count("Token Budgets")


def test_a_section_other_than_the_title_is_still_shown():
    source = Source(marker="[doc:ab12 §2.1]", title="Tiny Models", section="2 Method > 2.1 Shuffle")
    assert source.label() == "[doc:ab12 §2.1] Tiny Models, 2 Method > 2.1 Shuffle"


def test_a_section_that_is_the_title_is_not_repeated():
    source = Source(marker="[doc:ab12 §A]", title="A Note on Tokens", section=" a note on  tokens")
    assert source.label() == "[doc:ab12 §A] A Note on Tokens"
    with_pages = Source(marker="[doc:ab12 p.1]", title="A Note", section="A Note", pages="p.1")
    assert with_pages.label() == "[doc:ab12 p.1] A Note, p.1"


def test_pages_are_written_with_one_page_prefix():
    papershelf = Source(marker="[doc:ab12 §2 pp.3-4]", title="T", section="2 M", pages="pp.3-4")
    assert papershelf.label() == "[doc:ab12 §2 pp.3-4] T, 2 M, pp.3-4"
    bare = Source(marker="[ext:x]", title="T", pages="4")
    assert bare.label() == "[ext:x] T, p. 4"
