"""What `papershelf chat` does with each line: a question for the agent, or a slash command
for the servers' prompts, resources and tools. The CLI only reads lines and prints replies."""

import json
import shlex
from dataclasses import dataclass

from papershelf.agent.history import ChatHistory
from papershelf.agent.loop import AgentResult
from papershelf.agent.session import Session
from papershelf.core.errors import InputError, PapershelfError

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", "退出"})
HELP = """Type a question, or:
  /tools                      the tools the model can call
  /prompts                    the servers' prompts
  /prompt NAME [ARG ...]      run a prompt (positional, or key=value), e.g. /prompt summarize_paper arxiv:2504.05299
  /resources                  the servers' resources
  /resource URI               read a resource, e.g. /resource paper://arxiv%3A2504.05299
  /history                    the questions asked before (saved in PAPERSHELF_HOME)
  quit                        end the chat"""


@dataclass
class ChatReply:
    text: str = ""
    result: AgentResult | None = None
    done: bool = False


class ChatTurns:
    def __init__(self, session: Session, history: ChatHistory):
        self.session = session
        self.history = history

    async def handle(self, line: str) -> ChatReply:
        line = line.strip()
        if not line:
            return ChatReply()
        if line.lower() in QUIT_WORDS:
            return ChatReply(done=True)
        if not line.startswith("/"):
            return await self.ask(line)
        try:
            return await self._command(line)
        except (PapershelfError, ValueError) as exc:
            return ChatReply(f"error: {exc}")

    async def ask(self, question: str) -> ChatReply:
        result = await self.session.agent.ask(question, self.history.context())
        self.history.add(result)
        return ChatReply(result=result)

    async def _command(self, line: str) -> ChatReply:
        words = shlex.split(line)
        command, arguments = words[0].lower(), words[1:]
        host = self.session.host
        if command == "/help":
            return ChatReply(HELP)
        if command == "/tools":
            lines = [f"{name}{'' if t.read_only else ' (asks first)'}: {(t.tool.description or '').splitlines()[0] if t.tool.description else ''}"
                     for name, t in host.tools.items()]  # fmt: skip
            return ChatReply("\n".join(lines) or "no tools")
        if command == "/prompts":
            lines = [f"{p.server}: {p.prompt.name} {' '.join(a.name for a in p.prompt.arguments or [])}"
                     f" - {p.prompt.description or ''}" for p in host.prompts]  # fmt: skip
            return ChatReply("\n".join(lines) or "no prompts")
        if command == "/prompt":
            return await self._prompt(arguments)
        if command == "/resources":
            found = await host.list_resources()
            return ChatReply(
                "\n".join(f"{s}: {r.uri} {r.name}" for s, r in found) or "no listed resources"
            )
        if command == "/resource":
            if len(arguments) != 1:
                raise InputError("usage: /resource URI")
            read = await host.read_resource(arguments[0])
            texts = [
                getattr(c, "text", None) or f"[binary {c.mime_type or ''}]" for c in read.contents
            ]
            return ChatReply("\n".join(texts))
        if command == "/history":
            saved = self.history.saved()[-20:]
            return ChatReply(
                "\n".join(f"{t['time']}  {t['question']}" for t in saved) or "no history yet"
            )
        return ChatReply(f"unknown command {command}; /help lists them")

    async def _prompt(self, words: list[str]) -> ChatReply:
        if not words:
            raise InputError("usage: /prompt NAME [ARG ...]")
        name, values = words[0], words[1:]
        hosted = next(
            (
                p
                for p in self.session.host.prompts
                if name in (p.prompt.name, f"{p.server}__{p.prompt.name}")
            ),
            None,
        )
        declared = [a.name for a in (hosted.prompt.arguments or [])] if hosted else []
        arguments: dict[str, str] = {}
        positional = [v for v in values if "=" not in v]
        for value in values:
            if "=" in value:
                key, _, text = value.partition("=")
                arguments[key] = text
        for key, text in zip([d for d in declared if d not in arguments], positional, strict=False):
            arguments[key] = text
        prompt = await self.session.host.get_prompt(name, arguments)
        question = "\n\n".join(
            _message_text(m.content) for m in prompt.messages if m.role == "user"
        )
        if not question:
            return ChatReply(f"the prompt {name} has no user message to ask")
        return await self.ask(question)


def _message_text(content: object) -> str:
    text = getattr(content, "text", None)
    if text is not None:
        return str(text)
    resource = getattr(content, "resource", None)
    if resource is not None and getattr(resource, "text", None):
        return str(resource.text)
    return json.dumps(
        getattr(content, "model_dump", lambda: str(content))(), ensure_ascii=False, default=str
    )
