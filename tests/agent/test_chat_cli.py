"""`papershelf chat`: questions, slash commands for prompts, resources and tools, saved history."""

import json
from urllib.parse import quote

from papershelf.agent.history import history_path


def test_chat_answers_runs_commands_and_keeps_history(run_cli, config, library, papershelf_home):
    paper = next(p for p in library.list() if p.title.startswith("Tiny Models See Far"))
    lines = [
        "/tools",
        "/prompts",
        f"/resource paper://{quote(paper.id, safe='')}",
        "How does pixel shuffle help?",
        "/history",
        "quit",
    ]

    result = run_cli(
        "chat", "--config", str(config), "--llm", "none", input="\n".join(lines) + "\n"
    )

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "papershelf__search_papers" in out and "papershelf__read_paper" in out
    assert "summarize_paper" in out
    assert "Tiny Models See Far" in out  # the resource
    assert "Sources:\n[1] [" in out
    (saved,) = [json.loads(line) for line in history_path(papershelf_home).read_text().splitlines()]
    assert saved["question"] == "How does pixel shuffle help?" and saved["citations"]
    assert saved["time"][:4].isdigit()
    assert "How does pixel shuffle help?" in out  # listed by /history (input is not echoed)


def test_a_server_prompt_becomes_the_question(run_cli, config, library, llm):
    paper = next(p for p in library.list() if p.title.startswith("Tiny Models See Far"))
    llm.reply("A summary without tools.")
    lines = [f"/prompt summarize_paper {paper.id}", "exit"]

    result = run_cli("chat", "--config", str(config), "--llm", llm.url, "--model", "test-model",
                     input="\n".join(lines) + "\n")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "A summary without tools." in result.stdout
    asked = [m for m in llm.chat_requests[0]["messages"] if m["role"] == "user"][-1]
    assert paper.id in asked["content"]


def test_an_unknown_command_or_prompt_is_explained(run_cli, config, library):
    result = run_cli(
        "chat", "--config", str(config), "--llm", "none", input="/nope\n/prompt missing\nquit\n"
    )

    assert "unknown command /nope" in result.stdout
    assert "error: no prompt 'missing'" in result.stdout


def test_a_prompt_the_server_refuses_is_explained_and_the_chat_goes_on(run_cli, config, library):
    result = run_cli(
        "chat",
        "--config",
        str(config),
        "--llm",
        "none",
        input="/prompt summarize_paper nope\n/tools\nquit\n",
    )
    assert result.exit_code == 0, result.output
    assert "no paper 'nope'" in result.stdout
    assert "search_papers" in result.stdout.split("no paper 'nope'", 1)[1]
