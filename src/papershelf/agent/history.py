"""Chat history in PAPERSHELF_HOME/chat/history.jsonl: one line per answered question."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from papershelf.agent.loop import AgentResult
from papershelf.llm.chat import Message


def history_path(home: Path) -> Path:
    return home / "chat" / "history.jsonl"


class ChatHistory:
    """The turns of this chat (as context for the next question) and the file they are kept in."""

    def __init__(self, path: Path, context_turns: int = 6):
        self.path = path
        self.context_turns = context_turns
        self.turns: list[dict[str, Any]] = []

    def resume(self) -> int:
        """Take the last saved turns as context; returns how many."""
        saved = self.saved()
        self.turns = saved[-self.context_turns :]
        return len(self.turns)

    def saved(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        turns = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                turn = json.loads(line)
            except ValueError:
                continue  # a line cut by a crash must not lose the rest
            if isinstance(turn, dict) and "question" in turn and "answer" in turn:
                turns.append(turn)
        return turns

    def context(self) -> list[Message]:
        """Earlier questions and answers, without their tool traffic (it would crowd the context)."""
        messages: list[Message] = []
        for turn in self.turns[-self.context_turns :]:
            messages.append({"role": "user", "content": turn["question"]})
            messages.append({"role": "assistant", "content": turn["answer"]})
        return messages

    def add(self, result: AgentResult) -> None:
        turn = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": result.question,
            "answer": result.answer,
            "citations": [c.marker for c in result.citations],
            "model": result.model,
        }
        self.turns.append(turn)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(turn, ensure_ascii=False) + "\n")
