"""Optional LLM enrichment at ingest: used when configured, never a reason to fail."""

import json

from tests.support.fake_llm_server import FakeLLMServer, closed_port_url

NOTE = "---\ntitle: Token Budgets\n---\n\n# Token Budgets\n\nPixel shuffle saves visual tokens in small models.\n"


def test_an_llm_supplies_categories_and_keywords_through_chatty_answers(
    shelf, tmp_path, monkeypatch
):
    note = tmp_path / "note.md"
    note.write_text(
        NOTE.replace("title: Token Budgets\n", "title: Token Budgets\nauthors: [Ada]\n")
    )
    with FakeLLMServer() as llm:
        llm.reply(
            '<think>the paper is about vision</think>Sure! ["Computer Vision", "Efficient ML"]'
        )
        llm.reply('Here you go:\n```json\n["pixel shuffle", "visual tokens"]\n```')
        monkeypatch.setenv("PAPERSHELF_LLM_ENRICH", "1")
        monkeypatch.setenv("OLLAMA_BASE_URL", llm.url)
        monkeypatch.setenv("OLLAMA_MODEL", "test-model")
        result = shelf("add", str(note), "--json")
    assert result.exit_code == 0, result.output
    paper_id = json.loads(result.stdout)["results"][0]["paper_id"]
    shown = json.loads(shelf("show", paper_id, "--json").stdout)
    assert shown["keywords"] == ["pixel shuffle", "visual tokens"]
    assert shown["categories"][:2] == ["Computer Vision", "Efficient ML"]


def test_an_unreachable_llm_is_reported_and_the_paper_is_still_added(shelf, tmp_path, monkeypatch):
    note = tmp_path / "note.md"
    note.write_text(NOTE)
    monkeypatch.setenv("PAPERSHELF_LLM_ENRICH", "1")
    monkeypatch.setenv("OLLAMA_BASE_URL", closed_port_url())
    result = shelf("add", str(note))
    assert result.exit_code == 0, result.output
    assert "added" in result.stdout
    shown = shelf("list", "--json")
    assert '"Token Budgets"' in shown.stdout
