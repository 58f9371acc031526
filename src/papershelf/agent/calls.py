"""Running the tool calls of one model turn: parse, approve, detect repeats, execute
concurrently with a timeout each, answer in order, cap results, collect citations."""

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from papershelf.agent.citations import CitationLedger
from papershelf.agent.host import HostedTool, McpHost
from papershelf.agent.prompts import REPEATED_CALL
from papershelf.agent.results import capped, result_text
from papershelf.core.errors import NotFound
from papershelf.core.tokens import count_tokens
from papershelf.llm.chat import ToolCall

log = logging.getLogger(__name__)

Approver = Callable[[HostedTool, dict[str, Any]], Awaitable[bool]]


@dataclass
class ToolCallRecord:
    """What happened to one tool call, for the user and for --json."""

    round: int
    name: str
    arguments: Any
    status: str = "ok"
    """ok | error | invalid | unknown | denied | repeated | timeout"""
    detail: str = ""
    result_tokens: int = 0
    truncated: bool = False
    duration_s: float = 0.0
    citations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", [], None) or k == "status"}


@dataclass
class CallPolicy:
    timeout_s: float = 60.0
    max_result_tokens: int = 4000
    allow_writes: bool = False
    approve: Approver | None = None


class ToolRunner:
    """Executes the calls of a conversation; remembers every call for repeat detection."""

    def __init__(self, host: McpHost, ledger: CitationLedger, policy: CallPolicy):
        self.host = host
        self.ledger = ledger
        self.policy = policy
        self.records: list[ToolCallRecord] = []
        self._seen: dict[str, int] = {}

    async def run(
        self, round_: int, calls: list[ToolCall], on_start: Callable[[ToolCallRecord], None]
    ) -> list[tuple[ToolCall, str, ToolCallRecord]]:
        """Each call with the text answered to the model, in the order the model asked."""
        prepared = [self._prepare(round_, call) for call in calls]
        # Approval questions go one at a time, before anything runs.
        for _, record, hosted, arguments in prepared:
            if (
                record.status == "ok"
                and hosted is not None
                and not await self._approved(hosted, arguments)
            ):
                record.status, record.detail = "denied", _denied_text(hosted)
        answers = [record.detail for _, record, _, _ in prepared]

        async def execute(index: int) -> None:
            _, record, hosted, arguments = prepared[index]
            on_start(record)
            answers[index] = await self._execute(record, hosted, arguments)

        async with anyio.create_task_group() as group:
            for index, (_, record, _, _) in enumerate(prepared):
                if record.status == "ok":
                    group.start_soon(execute, index)
        self.records += [record for _, record, _, _ in prepared]
        return [(call, answers[i], prepared[i][1]) for i, (call, *_rest) in enumerate(prepared)]

    def _prepare(
        self, round_: int, call: ToolCall
    ) -> tuple[ToolCall, ToolCallRecord, HostedTool | None, dict[str, Any]]:
        record = ToolCallRecord(round_, call.name, call.arguments)
        hosted = self.host.tools.get(call.name)
        if hosted is None:
            known = ", ".join(self.host.tools) or "none"
            record.status, record.detail = (
                "unknown",
                f"error: there is no tool {call.name!r}; the tools are: {known}",
            )
            return call, record, None, {}
        arguments = _parse_arguments(call.arguments)
        if arguments is None:
            record.status = "invalid"
            record.detail = (
                f"error: the arguments of {call.name} are not a JSON object ({call.arguments[:200]!r}); "
                "call again with a JSON object that matches the tool's parameters"
            )
            return call, record, hosted, {}
        record.arguments = arguments
        key = f"{call.name} {json.dumps(arguments, sort_keys=True, ensure_ascii=False)}"
        if key in self._seen:
            record.status = "repeated"
            record.detail = REPEATED_CALL.format(name=call.name, round=self._seen[key])
            return call, record, hosted, arguments
        self._seen[key] = round_
        return call, record, hosted, arguments

    async def _approved(self, hosted: HostedTool, arguments: dict[str, Any]) -> bool:
        if hosted.read_only or self.policy.allow_writes:
            return True
        return self.policy.approve is not None and await self.policy.approve(hosted, arguments)

    async def _execute(
        self, record: ToolCallRecord, hosted: HostedTool | None, arguments: dict[str, Any]
    ) -> str:
        assert hosted is not None
        started = time.monotonic()
        try:
            result = await self.host.call_tool(
                hosted.qualified_name, arguments, self.policy.timeout_s
            )
        except TimeoutError:
            record.status = "timeout"
            text = (
                f"error: {hosted.qualified_name} did not answer within {self.policy.timeout_s:g}s"
            )
        except NotFound as exc:
            record.status, text = "unknown", f"error: {exc}"
        except Exception as exc:  # boundary: a failing server becomes a tool error the model reads
            log.warning("tool %s failed: %r", hosted.qualified_name, exc)
            record.status, text = "error", f"error: {hosted.qualified_name} failed: {exc}"
        else:
            text = result_text(result)
            record.status = "error" if result.is_error else "ok"
            record.citations = [
                s.marker for s in self.ledger.collect(hosted.qualified_name, result)
            ]
        record.duration_s = round(time.monotonic() - started, 3)
        text, record.truncated = capped(text, self.policy.max_result_tokens)
        record.result_tokens = count_tokens(text)
        if record.status != "ok":
            record.detail = text[:300]
        return text


def _parse_arguments(raw: str) -> dict[str, Any] | None:
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _denied_text(hosted: HostedTool) -> str:
    return (
        f"error: the user did not allow {hosted.qualified_name} (it may change data); "
        "answer without it, or ask the user to allow it (papershelf ask --yes)"
    )
