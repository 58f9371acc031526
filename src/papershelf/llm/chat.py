"""The `ChatModel` protocol every LLM provider implements, and the plain data it speaks.

Messages and tool definitions are the OpenAI chat-completions shapes (dicts), because every
provider papershelf talks to (Ollama, vLLM, DashScope, OpenAI, llama.cpp) accepts them as they are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

Message = dict[str, Any]
TextSink = Callable[[str], None]


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asked for; `arguments` is the raw JSON text it wrote."""

    id: str
    name: str
    arguments: str


@dataclass
class Usage:
    """Tokens the provider reports (0 when it reports none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass
class ChatRequest:
    """One chat completion to make.

    `tools` are OpenAI function definitions; `tool_choice` is "auto", "none", "required" or
    {"type": "function", "function": {"name": ...}}. `grammar` (llama.cpp GBNF) constrains the
    reply where the model supports it (`ChatModel.supports_grammar`); others ignore it.
    """

    messages: list[Message]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] = "auto"
    max_tokens: int | None = None
    temperature: float | None = None
    grammar: str | None = None


@dataclass
class ChatReply:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    usage: Usage = field(default_factory=Usage)

    def as_message(self) -> Message:
        """The assistant message to append to the conversation (OpenAI shape)."""
        message: Message = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in self.tool_calls
            ]
        return message


class ChatModel(Protocol):
    """A chat model: one completion at a time, streaming its text to `on_text` as it comes."""

    name: str
    """What to show users: the model and where it runs."""
    supports_grammar: bool
    """Whether `ChatRequest.grammar` is honoured (llama.cpp), so small models can be constrained."""

    async def chat(self, request: ChatRequest, on_text: TextSink | None = None) -> ChatReply: ...

    async def aclose(self) -> None: ...
