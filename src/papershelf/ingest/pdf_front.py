"""A paper's front matter from a PDF: title and authors (metadata or first-page layout), abstract, keywords."""

import itertools
import re
import unicodedata
from difflib import SequenceMatcher

from papershelf.ingest.base import Heading
from papershelf.ingest.headings import looks_like_heading
from papershelf.ingest.pdf_layout import Line, Page
from papershelf.ingest.pdf_text import clean_line, glued

_JUNK_TITLE = re.compile(
    r"^(microsoft (word|powerpoint|excel)\b|untitled|document\d*$|title$|paper$|main$|manuscript$|"
    r"slide \d+|powerpoint presentation|latex|arxiv$|template|\$?\\|doi:|none$|null$)",
    re.IGNORECASE,
)
_FILE_LIKE = re.compile(
    r"\.(docx?|pdf|tex|dvi|ps|indd|rtf|odt|pptx?|txt|qxd|eps)\b|[\\/]|^\S+_\S+$", re.I
)
_FRONT_JUNK = re.compile(
    r"^(preprint|published as|under review|accepted|proceedings|journal|vol\.|volume|technical report|"
    r"workshop|conference|to appear|copyright|arxiv|draft)",
    re.IGNORECASE,
)
_ABSTRACT_START = re.compile(r"^(abstract|summary|摘\s*要)\b", re.IGNORECASE)
_AFFILIATION = re.compile(
    r"universit|institut|laborator|\blab\b|department|\bdept\b|school|college|\binc\b|\bltd\b|"
    r"corporation|\bco\.|academy|research|google|microsoft|facebook|deepmind|\bmeta\b|tencent|alibaba|"
    r"baidu|nvidia|amazon|openai|hugging ?face|centre|center|equal contribution|corresponding|"
    r"\bteam\b|systems|electronics|engineering|sciences?\b|technology|faculty|division|group\b|street|road|\bave\b|usa\b|china\b|germany\b|france\b|canada\b|\buk\b|japan\b|"
    r"abstract|introduction|\bemail\b|http|www\.",
    re.IGNORECASE,
)
_AFFILIATION_LINE = re.compile(
    r"^\d|universit|institut|laborator|department|\bdept\b", re.IGNORECASE
)
_EMAIL = re.compile(r"\{[^}]*\}\s*@\S+|\S+@\S+")
_MARKS = re.compile(r"[\d*†‡§¶∗⋆♠♣♥♦♯#✉⁰¹²³⁴⁵⁶⁷⁸⁹⁺,]+$")
_IEEE_GRADE = re.compile(
    r",?\s*(?:(?:Student|Senior|Life)\s+)?(?:Member|Fellow),?\s*IEEE\b,?", re.IGNORECASE
)
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|，|、|\s{2,})\s*", re.IGNORECASE)
_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "du",
    "dos",
    "le",
    "la",
    "bin",
    "al",
    "y",
}
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
_KEYWORDS = re.compile(r"(?im)^\s*(?:keywords|key words|index terms|关键词)\s*[—–\-:.：]\s*(.+)$")
_RUN_IN_ABSTRACT = re.compile(r"(?m)^\s*(?:Abstract|ABSTRACT|摘要)\s*[—–\-:.：]\s*(\S.*)$")
_ABSTRACT_STOP = re.compile(
    r"^(keywords|key words|index terms|ccs concepts|[∗*†‡]|\d\s)", re.IGNORECASE
)


def plausible_title(value: str, label: str) -> bool:
    """Whether a PDF's Title metadata looks like a real title (not 'Microsoft Word - x.docx')."""
    value = value.strip()
    if not 6 <= len(value) <= 300 or _garbled(value):
        return False
    if _JUNK_TITLE.match(value) or _FILE_LIKE.search(value):
        return False
    stem = label.rsplit(".", 1)[0].lower()
    if value.lower() in (stem, label.lower()):
        return False
    words = value.split()
    return len(words) >= 2 or bool(re.search(r"[\u4e00-\u9fff]{4}", value))


def plausible_authors(value: str) -> list[str]:
    """Names in a PDF's Author metadata, or [] when it holds junk ('Administrator', 'user')."""
    if _garbled(value):
        return []
    parts = re.split(r"\s*;\s*", value) if ";" in value else _NAME_SEPARATORS.split(value)
    return [name for part in parts if (name := _clean_name(part))]


def _garbled(value: str) -> bool:
    if any(unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") or ch == "\ufffd" for ch in value):
        return True
    odd = sum(1 for ch in value if "\u0080" <= ch <= "\u00ff" or ch in "™¢")
    return odd >= 2 and odd > 0.1 * len(value)


def title_lines(page: Page, body_size: float) -> list[Line]:
    """The largest-font lines near the top of the first page: the title as laid out."""
    rows = [row for row in _rows(page.lines) if row[0].bottom > page.height * 0.35]
    candidates = [row for row in rows if _may_be_title(" ".join(line.text for line in row))]
    if not candidates:
        return []
    biggest = max(_peak(row) for row in candidates)
    if biggest < body_size * 1.15:
        return []
    first = next(row for row in candidates if _peak(row) >= biggest * 0.92)
    chosen = [first]
    for row in rows[rows.index(first) + 1 : rows.index(first) + 6]:
        same_style = _peak(row) >= biggest * 0.92 and abs(row[0].weight - first[0].weight) < 150
        near = abs(chosen[-1][0].bottom - row[0].bottom) <= 2.5 * biggest
        if not (same_style and near and _may_be_title(" ".join(line.text for line in row))):
            break
        chosen.append(row)
    return [line for row in chosen for line in row]


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Consecutive lines on one baseline (pdfium splits a line where the font size changes)."""
    rows: list[list[Line]] = []
    for line in lines:
        if rows and abs(rows[-1][-1].end_bottom - line.bottom) < 0.3 * max(line.size, 1.0):
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _peak(row: list[Line]) -> float:
    return max(line.peak_size for line in row)


def _may_be_title(text: str) -> bool:
    return (
        sum(ch.isalpha() for ch in text) >= 2
        and not _FRONT_JUNK.match(text)
        and not _ABSTRACT_START.match(text)
        and not _EMAIL.search(text)
        and not _AFFILIATION_LINE.search(text)
    )


def title_text(lines: list[Line]) -> str:
    text = clean_line(lines[0].text) if lines else ""
    for previous, line in itertools.pairwise(lines):
        text += ("" if glued(previous, line) else " ") + clean_line(line.text)
    text = re.sub(r"(?<=\w)[\ufffe\u00ad]\s*", "", text)
    return re.sub(r"\s*[∗*†‡]+$|\s+\d$", "", text).strip()


def authors_from_layout(page: Page, title: list[Line]) -> list[str]:
    """Names on the lines between the title and the abstract, without affiliations and marks."""
    if not title:
        return []
    start = page.lines.index(title[-1]) + 1
    names: list[str] = []
    for line in page.lines[start : start + 20]:
        text = clean_line(line.text)
        if _ABSTRACT_START.match(text) or looks_like_heading(text) or _is_prose(text):
            break
        for piece in line.pieces or [text]:
            piece = _IEEE_GRADE.sub(",", _EMAIL.sub(" ", clean_line(piece)))
            for part in _NAME_SEPARATORS.split(piece):
                name = _clean_name(part)
                if name and name not in names:
                    names.append(name)
    return names


def _is_prose(text: str) -> bool:
    words = text.split()
    lower = sum(
        1 for word in words if word[:1].islower() and word not in _PARTICLES and word != "and"
    )
    return len(words) >= 8 and lower > 0.4 * len(words)


def _clean_name(part: str) -> str:
    part = re.sub(r"^[\d*†‡§¶∗⋆♠♣♥♦♯#✉⁰¹²³⁴⁵⁶⁷⁸⁹,\s]+", "", part.strip())
    words = [_MARKS.sub("", word) for word in part.replace("´", "").split()]
    words = [word for word in words if word]
    if len(words) == 1 and _CJK_NAME.match(words[0]):
        return words[0]
    if not 2 <= len(words) <= 5 or _AFFILIATION.search(" ".join(words)):
        return ""
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if not (word[0].isupper() and re.fullmatch(r"[^\W\d_][\w'’.\-]*", word)):
            return ""
    if all(word.isupper() and len(word) > 2 for word in words if "." not in word):
        words = [word.capitalize() if "." not in word else word for word in words]
    return " ".join(words)


def appears_in(needle: str, haystack: str) -> bool:
    """Whether `needle` occurs in `haystack`, ignoring case, spacing and punctuation (roughly)."""
    a, b = _squash(needle), _squash(haystack)
    if not a:
        return False
    if a in b:
        return True
    return SequenceMatcher(
        None, a, b[: len(a) * 4], autojunk=False
    ).find_longest_match().size >= 0.8 * len(a)


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def abstract_of(text: str, headings: list[Heading]) -> str:
    """The text under the Abstract heading up to the next heading, or a run-in 'Abstract—...'."""
    for index, heading in enumerate(headings):
        if heading.number is None and heading.title.lower() in ("abstract", "摘要", "summary"):
            start = text.find("\n", heading.char_start)
            end = headings[index + 1].char_start if index + 1 < len(headings) else len(text)
            if start < 0:
                return ""
            return _first_paragraphs(text[start:end])
    match = _RUN_IN_ABSTRACT.search(text[:20000])
    return match[1].strip() if match else ""


def leading_abstract(text: str, first_page_end: int, headings: list[Heading]) -> str:
    """For papers without an Abstract heading: the run of prose paragraphs on the first page
    before its first heading (names, affiliations and short lines are not prose)."""
    end = min([h.char_start for h in headings] + [first_page_end])
    run: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text[:end]):
        paragraph = paragraph.strip()
        if len(paragraph) >= 150 and _is_prose(paragraph) and not _ABSTRACT_STOP.match(paragraph):
            run.append(paragraph)
        elif run:
            break
    return "\n\n".join(run[:4])


def _first_paragraphs(block: str, most: int = 3) -> str:
    kept: list[str] = []
    for paragraph in re.split(r"\n\s*\n", block.strip()):
        paragraph = paragraph.strip()
        if not paragraph or (kept and _ABSTRACT_STOP.match(paragraph)):
            break
        kept.append(paragraph)
        if len(kept) == most:
            break
    return "\n\n".join(kept)


def keywords_of(text: str) -> list[str]:
    match = _KEYWORDS.search(text[:20000])
    if not match:
        return []
    parts = re.split(r"\s*[,;，；·]\s*", match[1].rstrip(". "))
    return [part.strip() for part in parts if 1 < len(part.strip()) <= 60][:20]
