"""Bounded reading of a paper's text: a whole paper, one section or one page, in pieces that fit a
token budget, each ending with a cursor to the next piece. Never cuts silently: every piece says
where it lies and whether more follows."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from papershelf.core.errors import InputError
from papershelf.core.models import Document, Paper, Section, format_pages
from papershelf.core.tokens import count_tokens

MIN_TOKENS = 100
_SLICE = 400
_BREAKS = ("\n\n", "\n", "。", ". ", "? ", "! ", "；", "; ", "，", ", ", " ")
_CURSOR_VERSION = 1


@dataclass(frozen=True)
class ReadPage:
    """One piece of a paper's text and where it lies."""

    paper_id: str
    title: str
    scope: str
    text: str
    start: int
    end: int
    scope_start: int
    scope_end: int
    tokens: int
    pages: str
    next_cursor: str | None

    @property
    def done_pct(self) -> int:
        """How much of the scope has been read once this piece is, in percent."""
        span = self.scope_end - self.scope_start
        return 100 if span <= 0 else round(100 * (self.end - self.scope_start) / span)


def encode_cursor(payload: dict[str, Any]) -> str:
    """An opaque, URL-safe token carrying the state needed to continue (the server keeps none)."""
    raw = json.dumps({"v": _CURSOR_VERSION, **payload}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str) -> dict[str, Any]:
    """The payload of a cursor made by `encode_cursor` for `kind`; InputError for anything else."""
    invalid = InputError(
        "this cursor is not valid here: pass the next_cursor of the previous call unchanged, "
        "or call again without a cursor to start over"
    )
    text = cursor.strip()
    if not text or len(text) > 2000:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise invalid from exc
    if (
        not isinstance(payload, dict)
        or payload.get("v") != _CURSOR_VERSION
        or payload.get("k") != kind
    ):
        raise invalid
    return payload


def read_document(
    document: Document,
    *,
    section: int | None = None,
    page: int | None = None,
    cursor: str | None = None,
    max_tokens: int = 3000,
) -> ReadPage:
    """The piece of `document` that starts the scope (whole paper, a section or a page), or that
    continues where `cursor` left off, holding at most `max_tokens` tokens."""
    max_tokens = max(max_tokens, MIN_TOKENS)
    content = document.content
    if cursor is not None:
        state = decode_cursor(cursor, "read")
        start, scope_start, scope_end, scope = _cursor_state(state, document)
    else:
        if section is not None and page is not None:
            raise InputError("give either a section or a page, not both")
        if section is not None:
            scope_start, scope_end, scope = _section_scope(document, section)
        elif page is not None:
            scope_start, scope_end, scope = _page_scope(document, page)
        else:
            scope_start, scope_end, scope = 0, len(content), "whole paper"
        start = scope_start
    end = cut_point(content, start, scope_end, max_tokens)
    text = content[start:end]
    next_cursor = None
    if end < scope_end:
        next_cursor = encode_cursor(
            {
                "k": "read",
                "p": document.paper.id,
                "h": document.paper.content_sha256[:12],
                "s": end,
                "a": scope_start,
                "b": scope_end,
                "c": scope,
            }
        )
    return ReadPage(
        paper_id=document.paper.id,
        title=document.paper.title,
        scope=scope,
        text=text,
        start=start,
        end=end,
        scope_start=scope_start,
        scope_end=scope_end,
        tokens=count_tokens(text),
        pages=_pages_of(document, start, end),
        next_cursor=next_cursor,
    )


def cursor_from(paper: Paper, start: int) -> str:
    """A cursor that reads the whole paper onward from character `start` (the rest of a search hit)."""
    state = {
        "k": "read",
        "p": paper.id,
        "h": paper.content_sha256[:12],
        "s": start,
        "a": 0,
        "b": None,
    }
    return encode_cursor({**state, "c": "whole paper"})


def cut_point(text: str, start: int, limit: int, max_tokens: int) -> int:
    """The end of the longest piece text[start:end] (end <= limit) within max_tokens, moved back to
    a paragraph, line, sentence or word break when one lies in the piece's last fifth.

    Counts in slices that end after whitespace (token counts add up across such cuts), so a
    page costs about one pass over its text, then bisects only the slice where the budget ends."""
    if start >= limit:
        return limit
    # A token is at least one character, so max_tokens * 8 characters bound any piece that fits.
    window = min(limit, start + max_tokens * 8)
    position, used = start, 0
    while position < window:
        step = min(window, position + _SLICE)
        if step < window:
            space = max(text.rfind(" ", position + 1, step), text.rfind("\n", position + 1, step))
            step = space + 1 if space > position else step
        cost = count_tokens(text[position:step])
        if used + cost > max_tokens:
            break
        used, position = used + cost, step
    else:
        return window if window == limit else back_to_break(text, start, window)
    low, high = position, step - 1
    while low < high:
        middle = (low + high + 1) // 2
        if used + count_tokens(text[position:middle]) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return back_to_break(text, start, max(low, start + 1))


def back_to_break(text: str, start: int, end: int) -> int:
    """`end` moved back to the last paragraph, line, sentence or word break in the last fifth
    of text[start:end], if there is one."""
    floor = start + (end - start) * 4 // 5
    for mark in _BREAKS:
        found = text.rfind(mark, floor, end)
        if found > start:
            return found + len(mark)
    return end


def section_span(document: Document, section: Section) -> tuple[int, int]:
    """Where a section's text lies, its subsections included."""
    end = section.char_end
    following = sorted(
        (s for s in document.sections if s.ordinal > section.ordinal), key=lambda s: s.ordinal
    )
    for other in following:
        if other.level <= section.level:
            if end <= section.char_start:
                end = other.char_start
            break
        end = max(end, other.char_end)
    else:
        if end <= section.char_start:
            end = len(document.content)
    return section.char_start, max(end, section.char_start)


def _section_scope(document: Document, ordinal: int) -> tuple[int, int, str]:
    for section in document.sections:
        if section.ordinal == ordinal:
            start, end = section_span(document, section)
            return start, end, f"section {ordinal}: {section.heading}"
    if not document.sections:
        raise InputError(f"{document.paper.id} has no sections; read it without a section")
    first, last = document.sections[0].ordinal, document.sections[-1].ordinal
    raise InputError(
        f"{document.paper.id} has no section {ordinal}; its sections are numbered {first} to {last} "
        "(get_paper shows the outline)"
    )


def _page_scope(document: Document, page: int) -> tuple[int, int, str]:
    spans = [
        (p.char_start, p.char_end)
        for p in document.passages
        if p.page_start is not None and p.page_start <= page <= (p.page_end or p.page_start)
    ]
    if spans:
        return min(s for s, _ in spans), max(e for _, e in spans), f"page {page}"
    numbered = [p.page_start for p in document.passages if p.page_start is not None]
    if not numbered:
        raise InputError(
            f"{document.paper.id} has no page numbers (it is not a PDF); read it by section instead"
        )
    last = max(
        (p.page_end or p.page_start or 0) for p in document.passages if p.page_start is not None
    )
    raise InputError(
        f"{document.paper.id} has pages {min(numbered)} to {last}; page {page} is not one of them"
    )


def _cursor_state(state: dict[str, Any], document: Document) -> tuple[int, int, int, str]:
    if state.get("p") != document.paper.id:
        raise InputError(
            f"this cursor belongs to paper {state.get('p')!r}, not {document.paper.id!r}; "
            "pass the paper_id it came with"
        )
    if state.get("h") != document.paper.content_sha256[:12]:
        raise InputError(
            f"{document.paper.id} was replaced since this cursor was made; start reading again without a cursor"
        )
    if state.get("b") is None:
        state = {**state, "b": len(document.content)}
    damaged = InputError("this cursor is damaged; call again without a cursor to start over")
    values = [state.get(key) for key in ("s", "a", "b")]
    scope = state.get("c")
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if len(numbers) != 3 or not isinstance(scope, str):
        raise damaged
    start, scope_start, scope_end = numbers
    if not 0 <= scope_start <= start <= scope_end <= len(document.content):
        raise damaged
    return start, scope_start, scope_end, scope


def _pages_of(document: Document, start: int, end: int) -> str:
    pages = [
        (p.page_start, p.page_end or p.page_start)
        for p in document.passages
        if p.page_start is not None and p.char_start < end and p.char_end > start
    ]
    if not pages:
        return ""
    return format_pages(min(a for a, _ in pages), max(b for _, b in pages))
