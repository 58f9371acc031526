"""`OpenAIChatModel`: a `ChatModel` over any OpenAI-compatible endpoint (Ollama, vLLM, DashScope,
OpenAI, llama.cpp server), streaming, with function calling."""

import json
import logging
from typing import Any

import anyio
import httpx

from papershelf.core.endpoints import openai_base_url
from papershelf.core.errors import SourceUnavailable
from papershelf.core.http_clients import async_service_client
from papershelf.llm.chat import ChatReply, ChatRequest, TextSink, ToolCall, Usage
from papershelf.llm.openai_compat import (
    AVAILABILITY_TIMEOUT_S,
    status_message,
    unreachable_message,
)

log = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({429, 500, 502, 503})
LLAMA_CPP_OWNER = "llamacpp"


class OpenAIChatModel:
    """Chat completions from `model` at the OpenAI-compatible `base_url`.

    A 429 or 5xx answer is retried once after `retry_delay_s`; a timeout is not (the model is
    slow, a second try would be as slow). Errors are `SourceUnavailable` with what to do.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 60.0,
        retry_delay_s: float = 1.0,
        supports_grammar: bool = False,
    ):
        self.base_url = openai_base_url(base_url)
        self.model = model
        self.name = f"{model} at {self.base_url}"
        self.timeout = timeout
        self.retry_delay_s = retry_delay_s
        self.supports_grammar = supports_grammar
        self.available_models: set[str] = set()
        self._http = async_service_client(api_key, timeout)

    async def probe(self, *, must_answer: bool = False) -> bool:
        """Whether the endpoint answers GET /models; notes whether it is llama.cpp's server,
        whose `grammar` field lets papershelf constrain small models. With `must_answer`, an
        endpoint that cannot be reached at all raises SourceUnavailable."""
        try:
            response = await self._http.get(
                f"{self.base_url}/models", timeout=min(self.timeout, AVAILABILITY_TIMEOUT_S)
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if must_answer:
                raise SourceUnavailable(unreachable_message(self.base_url, exc)) from exc
            return False
        if response.status_code != 200:
            return False
        try:
            listed = [m for m in response.json().get("data", []) if isinstance(m, dict)]
        except (ValueError, AttributeError, TypeError):
            listed = []
        self.available_models = {str(m.get("id")) for m in listed}
        owners = {m.get("owned_by") for m in listed}
        self.supports_grammar = self.supports_grammar or LLAMA_CPP_OWNER in owners
        return True

    async def chat(self, request: ChatRequest, on_text: TextSink | None = None) -> ChatReply:
        payload = self._payload(request)
        for attempt in (1, 2):
            try:
                return await self._stream(payload, on_text)
            except _Retryable as exc:
                if attempt == 2:
                    raise SourceUnavailable(str(exc)) from None
                log.info("%s; retrying once", exc)
                await anyio.sleep(self.retry_delay_s)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._http.aclose()

    def _payload(self, request: ChatRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.tools:
            payload["tools"] = request.tools
            payload["tool_choice"] = request.tool_choice
        if request.max_tokens is not None:
            payload["max_tokens"] = request.max_tokens
        if request.temperature is not None:
            payload["temperature"] = request.temperature
        if request.grammar and self.supports_grammar:
            payload["grammar"] = request.grammar
        return payload

    async def _stream(self, payload: dict[str, Any], on_text: TextSink | None) -> ChatReply:
        url = f"{self.base_url}/chat/completions"
        try:
            async with self._http.stream("POST", url, json=payload) as response:
                if response.status_code != 200:
                    await response.aread()
                    message = status_message(self.base_url, self.model, response)
                    if response.status_code in RETRIED_STATUSES:
                        raise _Retryable(message)
                    raise SourceUnavailable(message)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    # Some servers ignore `stream` and answer with one JSON completion.
                    return _reply_from_completion(await response.aread(), self.base_url, on_text)
                assembler = _StreamAssembler(on_text)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    assembler.feed(_json_or_fail(data, self.base_url))
                return assembler.reply()
        except httpx.TimeoutException as exc:
            raise SourceUnavailable(
                f"the LLM at {self.base_url} did not answer within {self.timeout:g}s: "
                "raise llm_timeout_s or use a smaller model"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise SourceUnavailable(unreachable_message(self.base_url, exc)) from exc


class _Retryable(Exception):
    """A provider answer worth one more try (rate limit, overloaded)."""


class _StreamAssembler:
    """Builds one reply from streamed chunks: text as it comes, tool calls by their index."""

    def __init__(self, on_text: TextSink | None):
        self._on_text = on_text
        self._text: list[str] = []
        self._calls: dict[int, dict[str, str]] = {}
        self._finish = "stop"
        self._usage = Usage()

    def feed(self, chunk: dict[str, Any]) -> None:
        if isinstance(chunk.get("error"), dict | str):
            raise SourceUnavailable(f"the LLM stopped with an error: {chunk['error']}")
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._usage = _usage_of(usage)
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if text:
                self._text.append(text)
                if self._on_text is not None:
                    self._on_text(text)
            for number, call in enumerate(delta.get("tool_calls") or []):
                self._add_call_delta(call.get("index", number), call)
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]

    def _add_call_delta(self, index: int, delta: dict[str, Any]) -> None:
        call = self._calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        function = delta.get("function") or {}
        call["id"] = delta.get("id") or call["id"]
        call["name"] += function.get("name") or ""
        arguments = function.get("arguments")
        # Some servers send the arguments as an object rather than JSON text.
        call["arguments"] += (
            arguments if isinstance(arguments, str) else json.dumps(arguments or {})
        )

    def reply(self) -> ChatReply:
        calls = [
            ToolCall(id=c["id"] or f"call_{i}", name=c["name"], arguments=c["arguments"] or "{}")
            for i, c in sorted(self._calls.items())
        ]
        return ChatReply("".join(self._text), calls, self._finish, self._usage)


def _json_or_fail(data: str | bytes, base_url: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise SourceUnavailable(
            f"{base_url} answered with something other than a chat completion: "
            "check that it is an OpenAI-compatible endpoint (its URL usually ends in /v1)"
        )
    return parsed


def _usage_of(usage: dict[str, Any]) -> Usage:
    return Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))


def _reply_from_completion(body: bytes, base_url: str, on_text: TextSink | None) -> ChatReply:
    completion = _json_or_fail(body, base_url)
    try:
        choice = completion["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise SourceUnavailable(
            f"{base_url} answered a chat completion without a message"
        ) from None
    assembler = _StreamAssembler(on_text)
    assembler.feed(
        {
            "choices": [{"delta": message, "finish_reason": choice.get("finish_reason")}],
            "usage": completion.get("usage"),
        }
    )
    return assembler.reply()
