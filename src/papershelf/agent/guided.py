"""Constrained answers for small models: a llama.cpp grammar that lets the model only pick
sentences from the passages it was given, each behind that passage's citation marker.

A 135M-parameter model cannot be trusted to write facts or markers; choosing among real quoted
sentences it can do, and the answer is then faithful and its citations valid by construction.
"""

import re

from papershelf.agent.citations import Source

MAX_POINTS = 3
SENTENCES_PER_PASSAGE = 8
SHORTEST_SENTENCE = 25
LONGEST_SENTENCE = 320
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")


def sentences(text: str) -> list[str]:
    """The quotable sentences of a passage, in order (headings and fragments left out)."""
    flat = " ".join(text.split())
    found = []
    for piece in _SENTENCE_END.split(flat):
        piece = piece.strip()
        if SHORTEST_SENTENCE <= len(piece) <= LONGEST_SENTENCE and piece not in found:
            found.append(piece)
    return found[:SENTENCES_PER_PASSAGE]


def quote_grammar(sources: list[Source]) -> str | None:
    """GBNF for 1 to MAX_POINTS lines `- MARKER sentence`; None when nothing is quotable."""
    rules = []
    choices = []
    for number, source in enumerate(sources):
        quotable = sentences(source.text)
        if not quotable:
            continue
        alternatives = " | ".join(_literal(s) for s in quotable)
        rules.append(f"p{number} ::= {_literal(source.marker + ' ')} ( {alternatives} )")
        choices.append(f"p{number}")
    if not choices:
        return None
    optional = " ".join(["point?"] * (MAX_POINTS - 1))
    head = [f"root ::= point {optional}", f'point ::= "- " ( {" | ".join(choices)} ) "\\n"']
    return "\n".join(head + rules)


def tidy_points(text: str) -> str:
    """Drop repeated points and a last one cut off by the token limit."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]
    unique: list[str] = []
    for line in lines:
        if line not in unique:
            unique.append(line)
    return "\n".join(unique)


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
