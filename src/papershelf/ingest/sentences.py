"""Sentence and word boundaries in English and Chinese text, as character spans."""

import re
from collections.abc import Iterator

from papershelf.core.tokens import CJK_CHAR

_CLOSERS = "\"')\\]”’」』）》"
_SENTENCE_END = re.compile(
    rf"[。！？；…]+[{_CLOSERS}]*"
    rf"|(?<=[{CJK_CHAR}])[!?;]+[{_CLOSERS}]*"
    rf"|[.!?]+[{_CLOSERS}]*(?=\s|$)"
)
# A word is one CJK character or a run of other non-space characters: CJK text may break anywhere.
WORD = re.compile(rf"[{CJK_CHAR}]|[^\s{CJK_CHAR}]+")
_NEXT_VISIBLE = re.compile(r"\s*(\S)")
_WORD_BEFORE_DOT = re.compile(r"([A-Za-z]+)\.+$")
_ABBREVIATIONS = frozenset(
    (
        "al", "e.g", "i.e", "cf", "vs", "etc", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "no",
        "nos", "vol", "pp", "approx", "resp", "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "inc",
        "ltd", "co", "viz", "ch", "app", "def", "thm", "lem", "prop",
    )
)  # fmt: skip


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in text[start:end], each without surrounding whitespace."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.group()[0] == "." and _is_abbreviation(text, match.start(), match.end(), end):
            continue
        _append_trimmed(text, sentence_start, match.end(), spans)
        sentence_start = match.end()
    _append_trimmed(text, sentence_start, end, spans)
    return spans


def word_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the words in text[start:end] (CJK characters one by one)."""
    for match in WORD.finditer(text, start, end):
        yield match.start(), match.end()


def _is_abbreviation(text: str, dot: int, after: int, end: int) -> bool:
    """A period that follows an abbreviation or an initial, or is followed by a lowercase word."""
    next_visible = _NEXT_VISIBLE.match(text, after, end)
    if next_visible and next_visible.group(1).islower():
        return True
    word = _WORD_BEFORE_DOT.search(text, max(0, dot - 12), dot + 1)
    if word is None:
        return False
    letters = word.group(1)
    if len(letters) == 1 and letters.isupper():
        return True
    preceding = text[word.start() - 2 : word.start()] if word.start() >= 2 else ""
    candidate = letters.lower()
    if preceding.endswith(".") and len(letters) == 1:
        candidate = text[word.start() - 2 : dot].lower().lstrip(" ")
    return candidate in _ABBREVIATIONS


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
