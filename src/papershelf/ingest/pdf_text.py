"""Turn measured PDF lines into clean paragraphs: ligatures, hyphenation, running headers, CJK joins.

Paragraph breaks come from layout (a larger gap, an indented first line, a short last line,
a change of font size); heading-like lines are kept on lines of their own.
"""

import itertools
import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from papershelf.core.tokens import CJK_CHAR
from papershelf.ingest.pdf_layout import Line, Page

LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "ſ": "s"}
)
_CJK_TEXT = CJK_CHAR + "\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK_TEXT}]) +(?=[{_CJK_TEXT}])")
_JUNK_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\uf8e5-\uf8ff\u200b\ufeff]")
_COMBINING = {
    "´": "\u0301",
    "¨": "\u0308",
    "ˆ": "\u0302",
    "˜": "\u0303",
    "ˇ": "\u030c",
    "¸": "\u0327",
}
_SPACING_ACCENTS = re.compile("(?<!\\S)[´¨ˆ˜ˇ¸](?!\\S)")
_LOOSE_ACCENT = re.compile("(?<=[a-z]) ?([´¨ˆ˜ˇ¸]) ?([a-zA-Z])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
# pdfium marks a hyphen it saw at a line end with U+FFFE; U+00AD is a soft (discretionary) hyphen.
_MARKED_BREAK = re.compile(r"((?:[^\W\d_]+-)*[^\W\d_]+)\ufffe\s*([^\W\d_]+)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$|^[ivxlc]{1,6}$|^第\s*\d+\s*页",
    re.IGNORECASE,
)
_SENTENCE_END = tuple('.?!:;。？！：；”")')
_NO_SPACE_BEFORE = tuple(",.;:!?)]}%’”、，。：；！？")
# Prefixes that stay hyphenated at a line break when the text itself gives no evidence.
_COMPOUND_PREFIXES = {
    "self", "cross", "state", "end", "zero", "few", "fine", "large", "small", "high", "low",
    "real", "long", "short", "open", "top", "half", "well", "two", "three", "semi", "non",
}  # fmt: skip
_EDGE_BAND = 0.09


@dataclass
class Paragraph:
    """A paragraph of a page, or a heading-like line kept on its own (`standalone`)."""

    text: str
    standalone: bool = False
    emphasized: bool = False


class Dehyphenator:
    """Decides whether 'exam-' + 'ple' is one word, using the words the document itself uses."""

    def __init__(self, pages: list[Page]) -> None:
        everything = "\n".join(line.text for page in pages for line in page.lines).lower()
        self.words: set[str] = set(_WORD.findall(everything))

    def join(self, left: str, right: str) -> str:
        joined, hyphenated = f"{left}{right}", f"{left}-{right}"
        if joined.lower() in self.words:
            return joined
        if hyphenated.lower() in self.words or "-" in left or not right[:1].islower():
            return hyphenated
        last_part = left.rsplit("-", 1)[-1].lower()
        return hyphenated if last_part in _COMPOUND_PREFIXES else joined

    def repair_marked(self, text: str) -> str:
        text = text.replace("\u00ad", "")
        if "\ufffe" not in text:
            return text
        text = _MARKED_BREAK.sub(lambda m: self.join(m[1], m[2]), text)
        return text.replace("\ufffe", "-")


def clean_line(text: str) -> str:
    if not text.isascii():
        text = text.translate(LIGATURES)
        if _SPACING_ACCENTS.search(text):
            text = _compose_accents(text)
    return _SPACES.sub(" ", _JUNK_CHARS.sub("", text)).strip()


def _compose_accents(text: str) -> str:
    """Old TeX fonts draw 'é' as a spacing accent beside the letter: 'Universit ´ e' -> 'Université'."""
    text = _LOOSE_ACCENT.sub(lambda m: unicodedata.normalize("NFC", m[2] + _COMBINING[m[1]]), text)
    return _SPACING_ACCENTS.sub("", text)


def body_style(pages: list[Page]) -> tuple[float, int]:
    """The size and weight most of the text is set in, counted by characters."""
    sizes: Counter[float] = Counter()
    weights: Counter[int] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size, 1)] += len(line.text)
            weights[line.weight] += len(line.text)
    if not sizes:
        return 10.0, 400
    return sizes.most_common(1)[0][0], weights.most_common(1)[0][0]


def is_emphasized(line: Line, body_size: float, body_weight: int) -> bool:
    return line.size > body_size * 1.05 + 0.2 or line.weight >= max(550, body_weight + 150)


def remove_running_lines(pages: list[Page], keep: set[int]) -> None:
    """Drop page numbers and headers/footers repeated near the top or bottom of many pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update(
            {_furniture_key(line.text) for line in page.lines if _in_edge_band(line, page)}
        )
    repeated = max(3, math.ceil(0.3 * len(pages)))
    for page in pages:
        page.lines = [
            line
            for line in page.lines
            if id(line) in keep
            or not _in_edge_band(line, page)
            or not (_PAGE_NUMBER.match(line.text) or counts[_furniture_key(line.text)] >= repeated)
        ]


def _in_edge_band(line: Line, page: Page) -> bool:
    return line.bottom >= page.height * (1 - _EDGE_BAND) or line.top <= page.height * _EDGE_BAND


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def page_paragraphs(
    page: Page,
    dehyphenator: Dehyphenator,
    heading_like: Callable[[str], bool],
    body_size: float,
    body_weight: int,
) -> list[Paragraph]:
    """The page's text as paragraphs, in content order, with its annotation notes at the end."""
    pitch, full_width = _page_metrics(page, body_size)
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    previous: Line | None = None
    for line in page.lines:
        text = dehyphenator.repair_marked(clean_line(line.text))
        if not text:
            continue
        emphasized = is_emphasized(line, body_size, body_weight)
        if (
            current is not None
            and previous is not None
            and _after_drop_cap(current.text, previous, line, text)
        ):
            current.text += text
        elif heading_like(text) and (
            emphasized or previous is None or _breaks(previous, line, pitch, full_width, text)
        ):
            current = None
            paragraphs.append(Paragraph(text, standalone=True, emphasized=emphasized))
        elif (
            current is None or previous is None or _breaks(previous, line, pitch, full_width, text)
        ):
            current = Paragraph(text, emphasized=emphasized)
            paragraphs.append(current)
        elif glued(previous, line):
            current.text += text
        else:
            current.text = _join(current.text, text, dehyphenator)
        previous = line
    for paragraph in paragraphs:
        paragraph.text = _CJK_GAP.sub("", paragraph.text)
    paragraphs += [Paragraph("[Note] " + _note_text(note)) for note in page.notes]
    return paragraphs


def _note_text(note: str) -> str:
    """A comment's lines as one paragraph (Chinese lines join without a space)."""
    lines = [clean_line(line) for line in re.split(r"[\r\n]+", note)]
    text = " ".join(line for line in lines if line)
    return _CJK_GAP.sub("", text)


def _page_metrics(page: Page, body_size: float) -> tuple[float, float]:
    """The usual distance between baselines, and the width of a full line of body text."""
    gaps, widths = [], []
    for before, after in itertools.pairwise(page.lines):
        gap = before.end_bottom - after.bottom
        if 0 < gap < 3 * body_size and abs(before.size - after.size) < 0.1 * body_size:
            gaps.append(gap)
    for line in page.lines:
        if abs(line.size - body_size) < 0.1 * body_size:
            widths.append(line.x1 - line.x0)
    pitch = statistics.median(gaps) if gaps else body_size * 1.2
    full_width = sorted(widths)[int(0.8 * (len(widths) - 1))] if widths else page.width
    return pitch, full_width


def _breaks(previous: Line, line: Line, pitch: float, full_width: float, text: str) -> bool:
    """Whether `line` starts a new paragraph rather than continuing the one `previous` is in."""
    size = max(previous.size, line.size, 1.0)
    drop = previous.end_bottom - line.bottom
    if abs(drop) < 0.5 * pitch and line.x0 >= previous.x1 - 0.5 * size:
        return False  # the rest of the same row, after a footnote mark or inline math
    if abs(previous.size - line.size) > 0.15 * size:
        return True
    if drop > 1.6 * pitch:
        return True
    short = previous.x1 - previous.x0 < 0.85 * full_width
    ends_sentence = previous.text.endswith(_SENTENCE_END)
    if short and (ends_sentence or text[:1].isupper() or text[:1].isdigit()):
        return True
    indent = line.x0 - previous.x0
    return 0 < drop <= 1.6 * pitch and 0.8 * size < indent < 6 * size and ends_sentence


def _join(text: str, addition: str, dehyphenator: Dehyphenator) -> str:
    last, first = text[-1], addition[0]
    if last in "-\u00ad\ufffe" and first.islower():
        match = re.search(r"((?:[^\W\d_]+-)*[^\W\d_]+)[-\u00ad\ufffe]$", text)
        word = re.match(r"[^\W\d_]+", addition)
        if match and word:
            joined = dehyphenator.join(match[1], word[0])
            return text[: match.start()] + joined + addition[word.end() :]
    if re.match(f"[{_CJK_TEXT}]", last) and re.match(f"[{_CJK_TEXT}]", first):
        return text + addition
    if addition.startswith(_NO_SPACE_BEFORE):
        return text + addition
    return f"{text} {addition}"


def glued(previous: Line, line: Line) -> bool:
    """Two pieces of one word that pdfium split ('b' + 'y'): same baseline, no gap between."""
    size = max(previous.size, line.size, 1.0)
    return (
        abs(previous.end_bottom - line.bottom) < 0.2 * size
        and -0.05 * size < line.x0 - previous.x1 < 0.08 * size
    )


def _after_drop_cap(text: str, previous: Line, line: Line, addition: str) -> bool:
    """'Z' set large at a paragraph's start, then 'ERO shot learning...' on the next line."""
    return (
        len(text) == 1
        and text.isupper()
        and addition[:1].isupper()
        and previous.size > 1.8 * line.size
    )
