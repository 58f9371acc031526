"""The agent: tokens a model must read per answered question with papershelf's tools versus the
tutorial's procedure, and wall time per answer with the embedded model (and any endpoint given).

Tokens are counted the same way for both (papershelf.core.tokens over every request the model
gets: system prompt, tool definitions, conversation, tool results), with a scripted "ideal" model
so only the procedure differs. papershelf (the host's default): the host searches with the
question, then the model answers. The tutorial (its section 4.3): get_db_collections, every
paper's metadata, the whole paper (its server returned it in one piece), then the answer.
Both ways are reported: summed over the model's requests, and each piece counted once.

Run: python -m bench.bench_agent [--embedded 5] [--llm URL --model NAME] [--questions N]
"""

import argparse
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import anyio

from bench.eval.check_evidence import evidence_in, ingest, load_questions, temporary_library
from bench.report import CORPUS, median, table, write_section
from papershelf.agent.calls import CallPolicy
from papershelf.agent.config import TUTORIAL_TOOLS, ServerSpec
from papershelf.agent.host import McpHost
from papershelf.agent.loop import Agent, AgentOptions, request_tokens
from papershelf.agent.prompts import system_prompt
from papershelf.agent.results import result_text
from papershelf.agent.tools_mapping import openai_tools
from papershelf.core.tokens import count_tokens
from papershelf.library import Library
from papershelf.llm.chat import ChatReply, ChatRequest, TextSink, ToolCall
from papershelf.server.app import build_server

SERVER = "papershelf"
UNCAPPED = 10**9
MAX_PAGES = 60
CONTINUE = re.compile(r'read_paper\(paper_id="(?P<paper>[^"]+)", cursor="(?P<cursor>[^"]+)"\)')


@dataclass
class Cost:
    requests: int
    """Tokens over all the model's requests (each re-reads the conversation so far)."""
    once: int
    """System prompt, question, tool definitions and tool results, each counted once."""
    calls: int


class AnsweringModel:
    """A scripted model that answers at once from what it was given: the papershelf procedure
    then costs exactly what the host sends (system prompt, tools, question, search results)."""

    supports_grammar = False
    name = "scripted"

    async def chat(self, request: ChatRequest, on_text: TextSink | None = None) -> ChatReply:
        return ChatReply("(answer)")

    async def aclose(self) -> None:
        pass


def in_process_host(library: Library, disabled: frozenset[str]) -> McpHost:
    spec = ServerSpec(name=SERVER, transport="stdio", command="in-process", disabled_tools=disabled)
    return McpHost([spec], in_process={SERVER: build_server(library)})


async def papershelf_cost(library: Library, question: str) -> Cost:
    """The host's default: search with the question first, then the model answers."""
    async with in_process_host(library, TUTORIAL_TOOLS) as host:
        options = AgentOptions(search_first=True, calls=CallPolicy(max_result_tokens=UNCAPPED))
        result = await Agent(host, AnsweringModel(), options).ask(question)
        system = system_prompt(
            list(host.clients), [c.instructions or "" for c in host.clients.values()]
        )
        tools = openai_tools(list(host.tools.values()))
    results = sum(r.result_tokens for r in result.tool_calls)
    once = (
        count_tokens(system + question)
        + count_tokens(json.dumps(tools, ensure_ascii=False))
        + results
    )
    return Cost(result.prompt_tokens_estimated, once, len(result.tool_calls))


async def tutorial_cost(library: Library, question: str, essay_id: str) -> Cost:
    """The tutorial's procedure: collections, every essay's metadata, the whole paper (its server
    sent it in one piece; papershelf's pages it, so the pages are read and joined), each step a
    request with the conversation so far."""
    db, collection = library.settings.db_name, library.settings.collection_name
    async with in_process_host(library, frozenset()) as host:
        hosted = [t for t in host.tools.values() if t.tool.name in TUTORIAL_TOOLS]
        tools = openai_tools(hosted)
        system = system_prompt(
            list(host.clients), [c.instructions or "" for c in host.clients.values()]
        )
        calls = [
            ("get_db_collections", {"db_name": db}),
            ("get_essays_metadata_from_collection", {"db_name": db, "collection_name": collection}),
            ("get_essay_content_from_id", {"db_name": db, "collection_name": collection, "essay_id": essay_id}),
        ]  # fmt: skip
        results = [await _text(host, name, arguments) for name, arguments in calls]
        results[-1] = await _whole_paper(host, results[-1])
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": question},
    ]
    total = request_tokens(ChatRequest(messages, tools))
    for n, ((name, arguments), text) in enumerate(zip(calls, results, strict=True)):
        call = ChatReply(
            tool_calls=[ToolCall(f"call_{n}", f"{SERVER}__{name}", json.dumps(arguments))]
        )
        messages += [
            call.as_message(),
            {"role": "tool", "tool_call_id": f"call_{n}", "content": text},
        ]
        total += request_tokens(ChatRequest(messages, tools))
    once = count_tokens(system + question) + count_tokens(json.dumps(tools, ensure_ascii=False))
    once += sum(count_tokens(text) for text in results)
    return Cost(total, once, len(calls))


async def _text(host: McpHost, name: str, arguments: dict[str, Any]) -> str:
    return result_text(await host.call_tool(f"{SERVER}__{name}", arguments, timeout_s=120))


async def _whole_paper(host: McpHost, first_page: str) -> str:
    pages = [first_page]
    for _ in range(MAX_PAGES):
        found = CONTINUE.search(pages[-1])
        if found is None:
            break
        arguments = {"paper_id": found["paper"], "cursor": found["cursor"], "max_tokens": 20000}
        pages.append(await _text(host, "read_paper", arguments))
    return "\n".join(pages)


def essay_id_for(library: Library, paper_id: str) -> str:
    paper = library.get(paper_id)
    return paper.legacy_id or paper.id


def token_rows(library: Library, questions: list[Any], mapping: dict[str, str]) -> list[list[Any]]:
    rows = []
    for q in questions:
        if q.doc not in mapping:
            continue
        ours = anyio.run(papershelf_cost, library, q.question)
        theirs = anyio.run(
            tutorial_cost, library, q.question, essay_id_for(library, mapping[q.doc])
        )
        rows.append([q.id, ours.requests, theirs.requests, theirs.requests / max(1, ours.requests),
                     ours.once, theirs.once, theirs.once / max(1, ours.once)])  # fmt: skip
    return rows


async def timed_answers(library: Library, questions: list[Any], llm: str, model: str | None,
                        threads: int | None) -> tuple[str, float, list[list[Any]]]:  # fmt: skip
    from papershelf.agent.session import SessionRequest, _options
    from papershelf.llm.providers import open_chat_model

    started = time.perf_counter()
    chosen = await open_chat_model(library.settings, llm, model, threads=threads)
    load_s = time.perf_counter() - started
    if chosen.model is None:
        raise SystemExit(chosen.note)
    options = _options(SessionRequest(llm=llm), chosen)
    spec = ServerSpec(name=SERVER, transport="stdio", command="in-process")
    rows = []
    try:
        async with McpHost([spec], in_process={SERVER: build_server(library)}) as host:
            agent = Agent(host, chosen.model, options)
            for q in questions:
                started = time.perf_counter()
                result = await agent.ask(q.question)
                elapsed = time.perf_counter() - started
                cited_text = " ".join(s.text for s in result.citations)
                grounded = evidence_in(q.evidence, cited_text)
                rows.append([q.id, f"{elapsed:.1f}", len(result.citations), len(result.dropped_citations),
                             "yes" if grounded else "no", result.usage.prompt_tokens,
                             result.usage.completion_tokens])  # fmt: skip
    finally:
        await chosen.model.aclose()
    return chosen.model.name, load_s, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--questions", type=int, default=0, help="Only the first N questions (0: all)."
    )
    parser.add_argument(
        "--embedded", type=int, default=5, help="Questions answered by the embedded model."
    )
    parser.add_argument("--threads", type=int, default=2, help="Threads of the embedded model.")
    parser.add_argument(
        "--llm", default="", help="Also time answers from this OpenAI-compatible URL."
    )
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    questions = load_questions()
    if args.questions:
        questions = questions[: args.questions]
    library = temporary_library("papershelf-bench-agent-")
    mapping, failures = ingest(library, CORPUS, {k for q in questions for k in q.docs})
    for failure in failures:
        print("not ingested:", failure)

    rows = token_rows(library, questions, mapping)
    token_table = table(
        [
            "question",
            "papershelf",
            "tutorial",
            "ratio",
            "papershelf (once)",
            "tutorial (once)",
            "ratio (once)",
        ],
        rows,
    )
    ratios = [r[3] for r in rows]
    once_ratios = [r[6] for r in rows]
    summary = (
        f"{len(rows)} questions. Over all requests: median {median([r[1] for r in rows]):.0f} tokens "
        f"with papershelf vs {median([r[2] for r in rows]):.0f} with the tutorial's procedure, median "
        f"ratio {median(ratios):.1f}x (smallest {min(ratios):.1f}x). Each piece counted once: "
        f"median ratio {median(once_ratios):.1f}x (smallest {min(once_ratios):.1f}x)."
    )
    print(token_table, "\n", summary, sep="")

    timing_sections = []
    endpoints = [("embedded", None, args.embedded)] + (
        [(args.llm, args.model, args.embedded)] if args.llm else []
    )
    for llm, model, count in endpoints:
        if count <= 0:
            continue
        name, load_s, timed = anyio.run(
            timed_answers, library, questions[:count], llm, model, args.threads
        )
        seconds = [float(r[1]) for r in timed]
        timing_sections.append(
            f"### Wall time per answer: {name}\n\nModel load {load_s:.1f} s; median {median(seconds):.1f} s "
            f"per answer over {len(timed)} questions (search + answer; `grounded`: a cited passage "
            "holds the question's gold evidence).\n\n"
            + table(
                [
                    "question",
                    "seconds",
                    "citations",
                    "dropped",
                    "grounded",
                    "prompt tok",
                    "answer tok",
                ],
                timed,
            )
        )
        print(timing_sections[-1])

    write_section(
        "agent",
        "## Agent: tokens per answer and wall time (`bench/bench_agent.py`)\n\n"
        "Tokens the model reads per answered question (system prompt, tool definitions, "
        "conversation and tool results over all its requests), papershelf's search versus the "
        "tutorial's list-collections, all-metadata, whole-paper procedure, same scripted model:\n\n"
        f"{summary}\n\n" + token_table + "\n\n" + "\n\n".join(timing_sections),
    )


if __name__ == "__main__":
    main()
