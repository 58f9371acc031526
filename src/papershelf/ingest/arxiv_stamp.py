"""Recognise the arXiv stamp printed in a paper's margin ("arXiv:2501.09898v4 [cs.CV] 4 Apr 2025").

PDF extraction often spaces out, splits or reverses the vertical stamp, so matching works on the
text with all whitespace removed and maps the match back to offsets in the original text.
"""

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}"
_CATEGORY = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?"


def _date(tag: str) -> str:
    return rf"(?P<day{tag}>\d{{1,2}})(?P<month{tag}>[A-Za-z]{{3}})[a-z]*\.?(?P<year{tag}>(?:19|20)\d{{2}})"


# Applied to text without whitespace, so the stamp's spaces are gone.
# A bare "arXiv:1234.5678" is a citation; the stamp goes on with a category or a date.
_STAMP = re.compile(
    rf"ar[xX]iv:(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d{{1,3}}))?"
    rf"(?:\[(?P<category>{_CATEGORY})\](?:{_date('')})?|{_date('_alone')})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivStamp:
    """What the stamp says, and where it lies in the text it was found in (end exclusive)."""

    arxiv_id: str
    version: int | None
    category: str | None
    published: date | None
    start: int
    end: int


def find_arxiv_stamp(text: str) -> ArxivStamp | None:
    """The arXiv stamp in `text` (a first page), read forwards or backwards; None when absent."""
    compact, offsets = _without_whitespace(text)
    stamp = _best_match(compact, offsets)
    if stamp is None:
        reversed_offsets = offsets[::-1]
        stamp = _best_match(compact[::-1], reversed_offsets, reversed_=True)
    return stamp


def _without_whitespace(text: str) -> tuple[str, list[int]]:
    offsets = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[i] for i in offsets), offsets


def _best_match(compact: str, offsets: list[int], reversed_: bool = False) -> ArxivStamp | None:
    best: ArxivStamp | None = None
    best_score = 0
    for match in _STAMP.finditer(compact):
        score = bool(match["category"]) + bool(_date_parts(match)) + bool(match["version"])
        if score <= best_score:
            continue
        first, last = offsets[match.start()], offsets[match.end() - 1]
        start, end = (last, first + 1) if reversed_ else (first, last + 1)
        best = _stamp_from(match, start, end)
        best_score = score
    return best


def _stamp_from(match: re.Match[str], start: int, end: int) -> ArxivStamp:
    arxiv_id = match["id"]
    category = match["category"]
    if category is None and "/" in arxiv_id:
        category = arxiv_id.split("/")[0]
    return ArxivStamp(
        arxiv_id=arxiv_id,
        version=int(match["version"]) if match["version"] else None,
        category=category,
        published=_date_of(match),
        start=start,
        end=end,
    )


def _date_parts(match: re.Match[str]) -> tuple[str, str, str] | None:
    for tag in ("", "_alone"):
        if match[f"year{tag}"]:
            return match[f"day{tag}"], match[f"month{tag}"], match[f"year{tag}"]
    return None


def _date_of(match: re.Match[str]) -> date | None:
    parts = _date_parts(match)
    if parts is None:
        return None
    day, month, year = parts
    if month.lower() not in _MONTHS:
        return None
    try:
        return date(int(year), _MONTHS.index(month.lower()) + 1, int(day))
    except ValueError:
        return None
