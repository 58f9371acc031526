"""`EmbeddedChatModel`: a GGUF model run in this process by llama.cpp (the `xllamacpp` wheel),
behind the same `ChatModel` protocol as any OpenAI-compatible endpoint.

Small models (SmolLM2-135M) have chat templates without tool support and cannot be trusted to
write JSON, so tool calling is emulated with constrained decoding: the reply must match a JSON
schema that allows exactly the offered tools with their argument schemas (or an answer), and
the result is handed back as ordinary `tool_calls`.
"""

import copy
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread

from papershelf.core.errors import ConfigError, SourceUnavailable
from papershelf.llm.chat import ChatReply, ChatRequest, Message, TextSink, ToolCall, Usage

DEFAULT_CONTEXT = 4096
TOOL_CALL_MAX_TOKENS = 160
LONGEST_ARGUMENT_CHARS = 200
"""String arguments get this maxLength when their schema sets none: a tiny model rambles."""
INSTALL_XLLAMACPP = (
    "the embedded model needs llama.cpp: pip install xllamacpp (about 34 MB, CPU build)"
)


def _load_xllamacpp() -> Any:
    try:
        import xllamacpp
    except ImportError as exc:
        raise ConfigError(INSTALL_XLLAMACPP) from exc
    return xllamacpp


class EmbeddedChatModel:
    """One GGUF model loaded in process. Build it with `await EmbeddedChatModel.load(path)`."""

    supports_grammar = True

    def __init__(self, server: Any, path: Path, threads: int):
        self._server = server
        self.path = path
        self.name = f"{path.stem} (embedded llama.cpp, {threads} threads)"
        # llama.cpp serves one request per slot; the loop never needs two at once.
        self._busy = anyio.Lock()

    @classmethod
    async def load(
        cls, path: Path, *, context: int = DEFAULT_CONTEXT, threads: int | None = None
    ) -> "EmbeddedChatModel":
        """Load the model (a few seconds) in a worker thread, so Ctrl-C stays responsive."""
        xllamacpp = _load_xllamacpp()
        threads = threads or max(1, min(os.cpu_count() or 1, 8))

        def start() -> Any:
            params = xllamacpp.CommonParams()
            params.model.path = str(path)
            params.n_ctx = context
            params.n_parallel = 1
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
            params.use_jinja = True
            params.verbosity = -1  # llama.cpp logs to stderr otherwise, over the answer
            # The library also listens on a loopback port; an unguessable key keeps others off it.
            params.api_keys = [secrets.token_urlsafe(24)]
            return xllamacpp.Server(params)

        try:
            server = await anyio.to_thread.run_sync(start)
        except (RuntimeError, ValueError) as exc:
            raise ConfigError(f"llama.cpp could not load {path}: {exc}") from exc
        return cls(server, path, threads)

    async def chat(self, request: ChatRequest, on_text: TextSink | None = None) -> ChatReply:
        emulate_tools = bool(request.tools) and request.tool_choice != "none"
        body = self._body(request, emulate_tools)
        async with self._busy:
            chunks = await self._run(body, None if emulate_tools else on_text)
        reply = _reply_of(chunks)
        if emulate_tools:
            reply = _tool_reply(reply, _allowed_tools(request))
        return reply

    async def aclose(self) -> None:
        self._server = None

    def _body(self, request: ChatRequest, emulate_tools: bool) -> dict[str, Any]:
        messages = _plain_messages(request.messages)
        body: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}}
        if emulate_tools:
            tools = _allowed_tools(request)
            body["json_schema"] = _tool_choice_schema(
                tools, allow_answer=request.tool_choice == "auto"
            )
            messages = [{"role": "system", "content": _tool_instructions(tools)}, *messages]
            body["max_tokens"] = max(request.max_tokens or 0, TOOL_CALL_MAX_TOKENS)
        else:
            if request.grammar:
                body["grammar"] = request.grammar
            if request.max_tokens is not None:
                body["max_tokens"] = request.max_tokens
        body["messages"] = _merge_system_messages(messages)
        body["temperature"] = 0.0 if request.temperature is None else request.temperature
        return body

    async def _run(self, body: dict[str, Any], on_text: TextSink | None) -> list[dict[str, Any]]:
        """Generate in a worker thread; cancelling (Ctrl-C) stops llama.cpp at the next token."""
        if self._server is None:
            raise SourceUnavailable("the embedded model was closed")
        chunks: list[dict[str, Any]] = []
        stop = threading.Event()

        def on_chunk(chunk: dict[str, Any]) -> bool:
            chunks.append(chunk)
            text = _chunk_text(chunk)
            if text and on_text is not None and not stop.is_set():
                try:
                    anyio.from_thread.run_sync(on_text, text)
                except RuntimeError:  # the caller was cancelled meanwhile
                    stop.set()
            return stop.is_set()  # True asks llama.cpp to stop generating

        def generate() -> None:
            self._server.handle_chat_completions(body, on_chunk)

        try:
            await anyio.to_thread.run_sync(generate, abandon_on_cancel=True)
        except ValueError as exc:  # llama.cpp refuses the request (bad grammar or schema)
            raise SourceUnavailable(f"the embedded model refused the request: {exc}") from exc
        finally:
            stop.set()
        return chunks


def _chunk_text(chunk: dict[str, Any]) -> str:
    for choice in chunk.get("choices") or []:
        text = (choice.get("delta") or {}).get("content")
        if text:
            return str(text)
    return ""


def _reply_of(chunks: list[dict[str, Any]]) -> ChatReply:
    reply = ChatReply()
    for chunk in chunks:
        error = chunk.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else error
            raise SourceUnavailable(f"the embedded model failed: {message}")
        reply.content += _chunk_text(chunk)
        for choice in chunk.get("choices") or []:
            reply.finish_reason = choice.get("finish_reason") or reply.finish_reason
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            reply.usage = Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))
    return reply


def _allowed_tools(request: ChatRequest) -> list[dict[str, Any]]:
    functions = [t["function"] for t in request.tools if t.get("type") == "function"]
    choice = request.tool_choice
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        functions = [f for f in functions if f["name"] == wanted] or functions
    return functions


def _tool_choice_schema(tools: list[dict[str, Any]], *, allow_answer: bool) -> dict[str, Any]:
    options: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {
                "tool": {"const": tool["name"]},
                "arguments": _bounded(tool.get("parameters") or {"type": "object"}),
            },
            "required": ["tool", "arguments"],
        }
        for tool in tools
    ]
    if allow_answer:
        options.append(
            {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
        )
    return options[0] if len(options) == 1 else {"anyOf": options}


def _bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with a maxLength on every unbounded string, and no extra properties."""
    bounded = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and "maxLength" not in node and "enum" not in node:
                node["maxLength"] = LONGEST_ARGUMENT_CHARS
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(bounded)
    return bounded


def _tool_instructions(tools: list[dict[str, Any]]) -> str:
    lines = ["You can call these tools:"]
    for tool in tools:
        properties = (tool.get("parameters") or {}).get("properties") or {}
        arguments = ", ".join(properties)
        lines.append(
            f"- {tool['name']}({arguments}): {(tool.get('description') or '').strip()[:300]}"
        )
    lines.append(
        'Reply with one JSON object: {"tool": NAME, "arguments": {...}} to call a tool, '
        'or {"answer": TEXT} when you can answer.'
    )
    return "\n".join(lines)


def _tool_reply(reply: ChatReply, tools: list[dict[str, Any]]) -> ChatReply:
    """The constrained JSON reply turned into a tool call (or an answer)."""
    try:
        decided = json.loads(reply.content)
    except ValueError:
        decided = None  # cut off by max_tokens before the JSON closed
    if not isinstance(decided, dict):
        return ChatReply("", [], "length", reply.usage)
    if "answer" in decided:
        return ChatReply(str(decided["answer"]), [], "stop", reply.usage)
    names = {tool["name"] for tool in tools}
    if decided.get("tool") not in names:
        return ChatReply("", [], "length", reply.usage)
    call = ToolCall(
        id=f"call_{secrets.token_hex(4)}",
        name=decided["tool"],
        arguments=json.dumps(decided.get("arguments") or {}, ensure_ascii=False),
    )
    return ChatReply("", [call], "tool_calls", reply.usage)


def _plain_messages(messages: list[Message]) -> list[Message]:
    """Tool calls and results as plain text turns: small models' templates know no tool roles."""
    plain: list[Message] = []
    for message in messages:
        role = message.get("role")
        if role == "assistant" and message.get("tool_calls"):
            calls = [
                {"tool": c["function"]["name"], "arguments": c["function"]["arguments"]}
                for c in message["tool_calls"]
            ]
            text = (message.get("content") or "") + json.dumps(calls, ensure_ascii=False)
            plain.append({"role": "assistant", "content": text})
        elif role == "tool":
            name = message.get("name") or "the tool"
            plain.append(
                {"role": "user", "content": f"Result of {name}:\n{message.get('content')}"}
            )
        else:
            plain.append({"role": role, "content": message.get("content") or ""})
    return plain


def _merge_system_messages(messages: list[Message]) -> list[Message]:
    """One system message, first: several templates accept no other."""
    system = [m["content"] for m in messages if m.get("role") == "system" and m.get("content")]
    rest = [m for m in messages if m.get("role") != "system"]
    return ([{"role": "system", "content": "\n\n".join(system)}] if system else []) + rest
