"""The agent loop: the model calls MCP tools for a bounded number of rounds, then answers, and
the answer keeps only citations of passages the tools really returned.

Two strategies. `native`: the model gets every tool by OpenAI function calling and decides
(capable models: Ollama qwen3, hosted APIs). `guided` (small models): the host itself searches
with the question, then the model answers from the passages, constrained by a grammar where the
model supports one.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from papershelf.agent import guided, prompts
from papershelf.agent.calls import CallPolicy, ToolCallRecord, ToolRunner
from papershelf.agent.citations import CitationLedger, Source
from papershelf.agent.host import McpHost
from papershelf.agent.search_tool import find_search_tool, search_arguments
from papershelf.agent.tools_mapping import openai_tools
from papershelf.core.errors import NotFound, PapershelfError
from papershelf.core.tokens import count_tokens
from papershelf.llm.chat import ChatModel, ChatReply, ChatRequest, Message, ToolCall, Usage

Strategy = Literal["native", "guided"]
_THINKING = re.compile(r"<think>.*?</think>\s*", re.DOTALL)


@dataclass
class AgentOptions:
    strategy: Strategy = "native"
    max_rounds: int = 5
    """Tool rounds before a final answer is forced without tools (the tutorial's 5)."""
    calls: CallPolicy = field(default_factory=CallPolicy)
    answer_max_tokens: int | None = None
    temperature: float | None = None
    search_limit: int = 5
    search_first: bool = False
    """Native strategy: the host searches with the question before the model's first turn, which
    saves a whole round (time and tokens) on most questions; the model may still search again."""
    passage_chars: int = 700
    """Guided strategy: characters of each passage the model reads."""


@dataclass
class AgentEvents:
    """Callbacks for a live display; all optional."""

    on_text: Callable[[str], None] | None = None
    on_tool_call: Callable[[ToolCallRecord], None] | None = None
    on_note: Callable[[str], None] | None = None


@dataclass
class AgentResult:
    question: str
    answer: str
    citations: list[Source]
    dropped_citations: list[str]
    tool_calls: list[ToolCallRecord]
    model: str
    rounds: int
    usage: Usage
    prompt_tokens_estimated: int
    """Tokens the model read over all its requests (system prompt, tool definitions, results),
    estimated from the text; `usage` has what the provider counted, when it counts."""
    stop_reason: str = "answered"
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [c.as_dict() for c in self.citations],
            "dropped_citations": self.dropped_citations,
            "tool_calls": [c.as_dict() for c in self.tool_calls],
            "model": self.model,
            "rounds": self.rounds,
            "tokens": {
                "prompt": self.usage.prompt_tokens,
                "completion": self.usage.completion_tokens,
                "prompt_estimated": self.prompt_tokens_estimated,
            },
            "stop_reason": self.stop_reason,
            "notes": self.notes,
        }


class Agent:
    """Answers questions with `model` over the tools of `host`; without a model, with the
    passages a search finds."""

    def __init__(
        self,
        host: McpHost,
        model: ChatModel | None,
        options: AgentOptions | None = None,
        events: AgentEvents | None = None,
    ):
        self.host = host
        self.model = model
        self.options = options or AgentOptions()
        self.events = events or AgentEvents()

    async def ask(self, question: str, history: list[Message] | None = None) -> AgentResult:
        run = _Run(self, question, history or [])
        if self.model is None:
            return await run.extractive()
        if self.options.strategy == "guided":
            return await run.guided()
        return await run.native()


class _Run:
    """The state of one question: conversation, citations, calls, token counts."""

    def __init__(self, agent: Agent, question: str, history: list[Message]):
        self.agent = agent
        self.options = agent.options
        self.events = agent.events
        self.question = question
        self.ledger = CitationLedger()
        self.runner = ToolRunner(agent.host, self.ledger, self.options.calls)
        self.usage = Usage()
        self.read_tokens = 0
        self.rounds = 0
        self.notes: list[str] = []
        servers = list(agent.host.clients)
        instructions = [c.instructions or "" for c in agent.host.clients.values()]
        system = prompts.system_prompt(servers, instructions)
        self.messages: list[Message] = [
            {"role": "system", "content": system},
            *history,
            {"role": "user", "content": question},
        ]

    async def native(self) -> AgentResult:
        tools = openai_tools(list(self.agent.host.tools.values()))
        stop_reason = "answered"
        reply: ChatReply | None = None
        try:
            if self.options.search_first and find_search_tool(self.agent.host) is not None:
                await self._search()
            while True:
                if self.rounds >= self.options.max_rounds:
                    stop_reason = "round_cap"
                    break
                self.rounds += 1
                reply = await self._chat(ChatRequest(self.messages, tools, "auto"), stream=True)
                if not reply.tool_calls:
                    break
                if await self._answer_calls(reply):
                    stop_reason = "repeated_calls"
                    break
            if stop_reason != "answered" or reply is None:
                self._note(
                    f"stopped calling tools ({stop_reason.replace('_', ' ')}): answering now"
                )
                self.messages.append({"role": "user", "content": prompts.FINAL_TURN})
                reply = await self._chat(ChatRequest(self.messages), stream=True)
        except PapershelfError as exc:
            return self._without_model(exc)
        return self._result(reply.content, stop_reason)

    async def guided(self) -> AgentResult:
        if find_search_tool(self.agent.host) is None:
            self._note("no search tool among the servers' tools: the model chooses tools itself")
            return await self.native()
        sources = await self._search()
        if not sources:
            return self._result(prompts.no_passages_answer(self.question), "no_passages")
        model = self.agent.model
        grammar = guided.quote_grammar(sources) if model and model.supports_grammar else None
        request = ChatRequest(
            [
                {"role": "system", "content": prompts.guided_system_prompt()},
                {"role": "user", "content": prompts.guided_user_turn(
                    self.question, sources, self.options.passage_chars)},
            ],
            max_tokens=self.options.answer_max_tokens,
            temperature=self.options.temperature,
            grammar=grammar,
        )  # fmt: skip
        self.rounds = 2
        try:
            reply = await self._chat(request, stream=True)
        except PapershelfError as exc:
            return self._without_model(exc)
        answer = guided.tidy_points(reply.content) if grammar else reply.content
        return self._result(answer, "answered")

    async def extractive(self) -> AgentResult:
        if not await self._search():
            return self._result(prompts.no_passages_answer(self.question), "no_passages")
        self._note("no language model ran: the answer is the passages that match best")
        return self._result(extractive_answer(self.ledger.best(3)), "no_model")

    async def _search(self) -> list[Source]:
        """Round 1 made by the host: the search tool called with the question itself."""
        search = find_search_tool(self.agent.host)
        if search is None:
            raise NotFound("none of the MCP servers has a search tool to find passages with")
        self.rounds = 1
        arguments = search_arguments(search, self.question, self.options.search_limit)
        call = ToolCall(
            "call_search_1", search.qualified_name, json.dumps(arguments, ensure_ascii=False)
        )
        await self._answer_calls(ChatReply(tool_calls=[call]))
        return self.ledger.best(self.options.search_limit)

    async def _chat(self, request: ChatRequest, *, stream: bool) -> ChatReply:
        if (
            self.options.answer_max_tokens is not None
            and request.max_tokens is None
            and not request.tools
        ):
            request.max_tokens = self.options.answer_max_tokens
        if request.temperature is None:
            request.temperature = self.options.temperature
        self.read_tokens += request_tokens(request)
        on_text = self.events.on_text if stream else None
        assert self.agent.model is not None
        reply = await self.agent.model.chat(request, on_text)
        self.usage.add(reply.usage)
        return reply

    async def _answer_calls(self, reply: ChatReply) -> bool:
        """Run the calls and append the turn; True when every call was a repeat (a loop)."""
        self.messages.append(reply.as_message())
        on_start = self.events.on_tool_call or (lambda record: None)
        answered = await self.runner.run(self.rounds, reply.tool_calls, on_start)
        for call, text, _record in answered:
            self.messages.append(
                {"role": "tool", "tool_call_id": call.id, "name": call.name, "content": text}
            )
        return all(record.status == "repeated" for _, _, record in answered)

    def _without_model(self, error: PapershelfError) -> AgentResult:
        """The model failed: the passages found so far are the answer, and the note says why."""
        self._note(f"the language model failed ({error}); showing the passages found instead")
        sources = self.ledger.best(3)
        if not sources:
            raise error
        return self._result(extractive_answer(sources), "llm_error")

    def _note(self, text: str) -> None:
        self.notes.append(text)
        if self.events.on_note is not None:
            self.events.on_note(text)

    def _result(self, raw_answer: str, stop_reason: str) -> AgentResult:
        checked = self.ledger.check(_THINKING.sub("", raw_answer or ""))
        if checked.dropped:
            self._note("dropped citations no tool returned: " + ", ".join(checked.dropped))
        return AgentResult(
            question=self.question,
            answer=checked.text,
            citations=checked.cited,
            dropped_citations=checked.dropped,
            tool_calls=self.runner.records,
            model=self.agent.model.name if self.agent.model else "none",
            rounds=self.rounds,
            usage=self.usage,
            prompt_tokens_estimated=self.read_tokens,
            stop_reason=stop_reason,
            notes=self.notes,
        )


def extractive_answer(sources: list[Source], chars: int = 600) -> str:
    """The passages themselves as the answer, each behind its marker."""
    points = []
    for source in sources:
        text = " ".join(source.text.split())
        text = text if len(text) <= chars else text[: chars - 1].rstrip() + "…"
        points.append(f"- {source.marker} {text}")
    return "\n".join(points)


def request_tokens(request: ChatRequest) -> int:
    """Estimated tokens a model reads for one request: the conversation and the tool definitions."""
    text = json.dumps(request.messages, ensure_ascii=False)
    if request.tools:
        text += json.dumps(request.tools, ensure_ascii=False)
    return count_tokens(text)
