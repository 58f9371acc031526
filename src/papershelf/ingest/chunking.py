"""Section-aware chunking: a ParsedDocument becomes its outline (Sections) and citable Passages."""

import re
from bisect import bisect_right
from dataclasses import dataclass

from papershelf.core.models import Passage, Section
from papershelf.core.tokens import count_tokens, detect_language
from papershelf.ingest.base import Heading, PageSpan, ParsedDocument
from papershelf.ingest.chunking_segments import Segment, section_segments, word_tail_start

FRONT_MATTER = "Front matter"
FULL_TEXT = "Full text"
_ABSTRACT_START = re.compile(r"\s*(abstract|summary|摘\s*要)\b", re.IGNORECASE)
# How much a cut at each boundary strength is worth, in tokens of distance from the target size.
_BOUNDARY_BONUS = {3: 80, 2: 20, 1: 0, 0: -1000}


@dataclass(frozen=True)
class ChunkLimits:
    """Passage sizes in tokens."""

    target: int
    max: int
    min: int
    overlap: int


def chunk_document(
    parsed: ParsedDocument,
    paper_id: str,
    *,
    target_tokens: int = 300,
    max_tokens: int = 400,
    min_tokens: int = 200,
    overlap_tokens: int = 40,
) -> tuple[list[Section], list[Passage]]:
    """Split the document into sections by its headings and each section into passages.

    A passage never crosses a section boundary and holds at most `max_tokens`; it is shorter
    than `min_tokens` only at the end of a section, before a sentence too long to join it,
    or when the whole section is short. Consecutive passages of a section share their last
    sentence(s), up to `overlap_tokens`.
    """
    limits = ChunkLimits(target_tokens, max_tokens, min(min_tokens, max_tokens), overlap_tokens)
    if limits.max < 1 or limits.overlap >= limits.max:
        raise ValueError("max_tokens must be positive and larger than overlap_tokens")
    text = parsed.text
    pages = _PageIndex(parsed.pages)
    sections: list[Section] = []
    passages: list[Passage] = []
    for heading, level, start, end, body_start in _section_spans(parsed):
        start, end = _strip_span(text, start, end)
        if start >= end:
            continue
        page_start, page_end = pages.span(start, end)
        sections.append(
            Section(
                ordinal=len(sections),
                heading=heading,
                level=level,
                page_start=page_start,
                page_end=page_end,
                char_start=start,
                char_end=end,
            )
        )
        segments = section_segments(text, start, end, limits.max - limits.overlap)
        if not any(segment.start >= body_start for segment in segments):
            continue  # a heading with no text of its own
        for span_start, span_end, tokens in _pack(text, segments, limits):
            passage_text = text[span_start:span_end]
            page_start, page_end = pages.span(span_start, span_end)
            passages.append(
                Passage(
                    paper_id=paper_id,
                    ordinal=len(passages),
                    section=heading,
                    page_start=page_start,
                    page_end=page_end,
                    char_start=span_start,
                    char_end=span_end,
                    text=passage_text,
                    tokens=tokens,
                    language=detect_language(passage_text),
                )
            )
    return sections, passages


def heading_label(heading: Heading) -> str:
    """'3.1 Learned Tokens' from number '3.1' and title 'Learned Tokens'."""
    title = " ".join(heading.title.split())
    number = (heading.number or "").strip()
    if number and title.split(" ", 1)[0].rstrip(".") != number:
        return f"{number} {title}".strip()
    return title or number


def _section_spans(parsed: ParsedDocument) -> list[tuple[str, int, int, int, int]]:
    """(heading path, level, start, end, body start) for each section, in text order."""
    text = parsed.text
    headings = _usable_headings(parsed.headings, len(text))
    spans: list[tuple[str, int, int, int, int]] = []
    first = headings[0].char_start if headings else len(text)
    if text[:first].strip():
        name = FRONT_MATTER if headings else (parsed.title.strip() or FULL_TEXT)
        if _ABSTRACT_START.match(text[:first]):
            name = "Abstract"
        spans.append((name, 1, 0, first, 0))
    title_heading = _title_heading(headings, parsed.title)
    stack: list[tuple[int, str]] = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].char_start if index + 1 < len(headings) else len(text)
        label = heading_label(heading)
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        path = " > ".join([part for _, part in stack] + [label])
        if heading is not title_heading:
            stack.append((heading.level, label))
        line_end = text.find("\n", heading.char_start, end)
        body_start = end if line_end < 0 else line_end
        spans.append((path, heading.level, heading.char_start, end, body_start))
    return spans


def _usable_headings(headings: list[Heading], text_length: int) -> list[Heading]:
    seen: set[int] = set()
    usable = []
    for heading in sorted(headings, key=lambda h: h.char_start):
        if 0 <= heading.char_start < text_length and heading.char_start not in seen:
            seen.add(heading.char_start)
            usable.append(heading)
    return usable


def _title_heading(headings: list[Heading], title: str) -> Heading | None:
    """A lone top-level first heading that repeats the title: its children's paths leave it out."""
    if not headings or not title.strip():
        return None
    first = headings[0]
    top_level = min(heading.level for heading in headings)
    lone = first.level == top_level and sum(h.level == top_level for h in headings) == 1
    same = " ".join(heading_label(first).split()).casefold() == " ".join(title.split()).casefold()
    return first if lone and same else None


def _pack(text: str, segments: list[Segment], limits: ChunkLimits) -> list[tuple[int, int, int]]:
    """Group consecutive segments into passage spans near the target size, with overlap.

    Returns (start, end, tokens); segments meet at whitespace or CJK characters, so their
    token counts add up to the count of the joined text.
    """
    spans: list[tuple[int, int, int]] = []
    count = len(segments)
    # Pieces cut out of one over-long word do not add up exactly; count those sections afresh.
    recount = any(segment.inside_word for segment in segments)
    remaining = sum(segment.tokens for segment in segments)
    first = 0
    previous: tuple[int, int] | None = None
    while first < count:
        overlap_start, overlap = (
            (None, 0) if previous is None else _overlap(text, segments, *previous, limits)
        )
        if overlap and overlap + segments[first].tokens > limits.max:
            overlap_start, overlap = None, 0
        last = _choose_cut(segments, first, overlap, remaining, limits)
        chosen = segments[first : last + 1]
        start = segments[first].start if overlap_start is None else overlap_start
        new_tokens = sum(segment.tokens for segment in chosen)
        tokens = overlap + new_tokens
        if recount:
            tokens = count_tokens(text[start : segments[last].end])
        spans.append((start, segments[last].end, tokens))
        remaining -= new_tokens
        previous = (first, last)
        first = last + 1
    return spans


def _choose_cut(
    segments: list[Segment], first: int, overlap: int, remaining: int, limits: ChunkLimits
) -> int:
    """Index of the last segment of the passage that starts at `first`."""
    budget = limits.max - overlap
    if remaining <= budget:
        return len(segments) - 1
    desired = limits.target
    if remaining + overlap < limits.target + limits.min:
        # Two balanced passages read better than a full one and a tiny tail.
        desired = (remaining + overlap + limits.overlap) // 2
    best, best_cost = first, None
    total = 0
    for index in range(first, len(segments)):
        total += segments[index].tokens
        if total > budget and index > first:
            break
        size = overlap + total
        cost = abs(size - desired) - _BOUNDARY_BONUS[segments[index].strength]
        if size < limits.min:
            cost += 10_000  # a short passage only when no cut reaches the minimum
        if best_cost is None or cost < best_cost:
            best, best_cost = index, cost
    return best


def _overlap(
    text: str, segments: list[Segment], first: int, last: int, limits: ChunkLimits
) -> tuple[int | None, int]:
    """Where the overlap taken from the passage segments[first..last] starts, and its tokens."""
    total, start = 0, None
    index = last
    while index > first and total + segments[index].tokens <= limits.overlap:
        total += segments[index].tokens
        start = segments[index].start
        index -= 1
    if start is not None:
        return start, total
    # The last sentence alone is longer than the overlap: take its tail from a word boundary.
    tail = word_tail_start(text, segments[last], limits.overlap)
    if tail is None:
        return None, 0
    return tail, count_tokens(text[tail : segments[last].end])


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class _PageIndex:
    """Maps character spans to 1-based page numbers; (None, None) for documents without pages."""

    def __init__(self, pages: list[PageSpan]) -> None:
        self._pages = sorted(pages, key=lambda page: page.char_start)
        self._starts = [page.char_start for page in self._pages]

    def span(self, start: int, end: int) -> tuple[int | None, int | None]:
        if not self._pages:
            return None, None
        return self._page_at(start), self._page_at(max(start, end - 1))

    def _page_at(self, offset: int) -> int:
        index = max(0, bisect_right(self._starts, offset) - 1)
        return self._pages[index].number
