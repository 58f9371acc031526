"""Citation tracking: which passages the tools returned, which of them the answer cites, and
which cited markers were invented by the model (dropped and reported).

Markers are collected generically: a tool's structured `hits[*].citation` when it has one
(papershelf's search_papers), otherwise bracketed `[scheme:...]` markers in its text, so any
server that labels its passages this way gets checked citations.
"""

import re
from dataclasses import asdict, dataclass
from typing import Any

from mcp.types import CallToolResult

# [arxiv:2504.05299 §2.2 p.4], [doc:b8dc0ab26c31 Abstract]; not [1], not [https://...]
MARKER = re.compile(r"\[([A-Za-z][\w.+-]*:(?!//)[^\[\]\n]{1,160})\]")
TEXT_SOURCE_CHARS = 1200


@dataclass(frozen=True)
class Source:
    """A passage a tool returned, under the marker the answer cites it with."""

    marker: str
    paper_id: str = ""
    title: str = ""
    section: str = ""
    pages: str = ""
    text: str = ""
    score: float | None = None
    tool: str = ""

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found.pop("text")
        return found

    def label(self) -> str:
        named = self.title or self.paper_id
        # a paper whose only section is its title cites that title as its section
        section = "" if _key(self.section) == _key(named) else self.section
        described = ", ".join(part for part in (named, section, _pages_label(self.pages)) if part)
        return f"{self.marker} {described}".rstrip()


@dataclass
class CheckedAnswer:
    text: str
    cited: list[Source]
    dropped: list[str]


class CitationLedger:
    """Every passage the tools returned in one question, in the order they came."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}

    def collect(self, tool: str, result: CallToolResult) -> list[Source]:
        """Record the passages of a tool result; returns the new ones."""
        if result.is_error:
            return []
        found = _structured_sources(tool, result.structured_content)
        if not found:
            found = _text_sources(tool, _text_of(result))
        new = [s for s in found if _key(s.marker) not in self.sources]
        for source in new:
            self.sources[_key(source.marker)] = source
        return new

    def best(self, limit: int) -> list[Source]:
        """The passages to show without a model: best score first, then in arrival order."""
        ranked = sorted(
            enumerate(self.sources.values()),
            key=lambda item: (-(item[1].score or 0.0), item[0]),
        )
        return [source for _, source in ranked[:limit] if source.text]

    def check(self, answer: str) -> CheckedAnswer:
        """The answer without invented markers, the sources it cites, and the dropped markers."""
        cited: dict[str, Source] = {}
        dropped: list[str] = []

        def keep_or_drop(match: re.Match[str]) -> str:
            marker = match.group(0)
            source = self.sources.get(_key(marker))
            if source is None:
                if marker not in dropped:
                    dropped.append(marker)
                return ""
            cited.setdefault(_key(marker), source)
            return source.marker

        text = MARKER.sub(keep_or_drop, answer)
        text = re.sub(r"[ \t]+([.,;:!?。，；：])", r"\1", text)  # the space a dropped marker left
        return CheckedAnswer(text.strip(), list(cited.values()), dropped)


def sources_block(sources: list[Source]) -> str:
    """The list of sources an answer ends with."""
    if not sources:
        return ""
    lines = [f"[{n}] {s.label()}" for n, s in enumerate(sources, 1)]
    return "Sources:\n" + "\n".join(lines)


def _pages_label(pages: str) -> str:
    """papershelf's 'p.4' and 'pp.3-4' as they are; another server's bare '4' as 'p. 4'."""
    return pages if not pages or pages.startswith("p") else f"p. {pages}"


def _key(marker: str) -> str:
    return " ".join(marker.lower().split())


def _structured_sources(tool: str, structured: Any) -> list[Source]:
    if not isinstance(structured, dict) or not isinstance(structured.get("hits"), list):
        return []
    sources = []
    for hit in structured["hits"]:
        if not isinstance(hit, dict) or not isinstance(hit.get("citation"), str):
            continue
        markers = _markers_in(hit["citation"]) or [f"[{hit['citation'].strip('[] ')}]"]
        score = hit.get("score")
        sources.append(
            Source(
                marker=markers[0],
                paper_id=str(hit.get("paper_id") or ""),
                title=str(hit.get("title") or ""),
                section=str(hit.get("section") or ""),
                pages=str(hit.get("pages") or ""),
                text=str(hit.get("text") or ""),
                score=float(score) if isinstance(score, int | float) else None,
                tool=tool,
            )
        )
    return sources


def _text_sources(tool: str, text: str) -> list[Source]:
    """Markers in plain text, each with the text that follows it (up to the next marker)."""
    matches = list(MARKER.finditer(text))
    sources = []
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        passage = text[match.end() : end].strip()[:TEXT_SOURCE_CHARS]
        sources.append(Source(marker=match.group(0), text=passage, tool=tool))
    return sources


def _markers_in(text: str) -> list[str]:
    return [m.group(0) for m in MARKER.finditer(text)]


def _text_of(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)
