"""Plain-text documents (English and Chinese): decoding, re-joining hard-wrapped lines, title and authors."""

import re
from datetime import date, datetime

from papershelf.core.errors import InputError
from papershelf.core.tokens import CJK_CHAR, detect_language
from papershelf.ingest.base import Heading, ParsedDocument
from papershelf.ingest.headings import find_headings

_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))
_CJK = re.compile(f"[{CJK_CHAR}]")
_WIDE = re.compile(f"[{CJK_CHAR}\u3000-\u303f\uff01-\uff60]")
_NUMBERED_LINE = re.compile(r"\d+(?:\.\d+)*\.?\s+\S")
_LIST_ITEM = re.compile(r"\s*(?:[-*+•●◦▪]|\(?\d{1,3}[.)]|\([a-z]\))\s+")
_HEADING_NUMBER = re.compile(
    r"(?P<number>\d+(?:\.\d+)*|[A-Z](?:\.\d+)+|[IVX]+\.|[A-Z]\.)\.?\s+(?P<title>\S.*)"
    r"|(?P<cn>[一二三四五六七八九十]+|\d+)[、.．]\s*(?P<cn_title>\S.*)"
)
_ABSTRACT_TITLES = ("abstract", "摘要", "summary")
_BULLETS = "-*•●◦▪·"
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


class TextParser:
    """Parses .txt files: paragraphs re-joined, headings found, title and authors from the head."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        raw = decode_text(data, name, allow_gb18030=True)
        text = join_wrapped_lines(_attach_lone_bullets(normalise_newlines(raw).split("\n")))
        headings = find_headings(text)
        title, authors = title_and_authors(text, headings)
        return ParsedDocument(
            kind="text",
            text=text,
            headings=headings,
            title=title,
            authors=authors,
            abstract=abstract_under_heading(text, headings),
            language=detect_language(text),
        )


def decode_text(data: bytes, name: str, *, allow_gb18030: bool = False) -> str:
    """The bytes as text: a BOM's encoding, else UTF-8, else (when allowed) GB18030 Chinese text."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise _undecodable(name, allow_gb18030) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if allow_gb18030 and b"\x00" not in data:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                pass
            else:
                if _CJK.search(text):
                    return text
        raise _undecodable(name, allow_gb18030) from error


def _undecodable(name: str, allow_gb18030: bool) -> InputError:
    encodings = "UTF-8 or GB18030" if allow_gb18030 else "UTF-8"
    return InputError(
        f"{name} is not {encodings} text; convert it to UTF-8 (e.g. iconv -t UTF-8) and add it again"
    )


def normalise_newlines(text: str) -> str:
    """Unix newlines, no trailing spaces, no form feeds or zero-width characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def display_width(line: str) -> int:
    """Columns the line takes in a terminal: CJK characters are two wide."""
    return len(line) + len(_WIDE.findall(line))


def wrap_width(lines: list[str]) -> int | None:
    """The column at which the text was hard-wrapped, or None when its lines are not wrapped."""
    widths = sorted(display_width(line) for line in lines if line.strip())
    if len(widths) < 8:
        return None
    typical = widths[int(0.9 * (len(widths) - 1))]
    if typical > 160 or typical < 30:
        return None
    width = max(w for w in widths if w <= typical * 1.15)
    near_full = sum(1 for w in widths if w >= 0.75 * width)
    return width if near_full >= 0.5 * len(widths) else None


def is_soft_break(previous: str, following: str, width: int) -> bool:
    """Whether the break between two lines of a text wrapped at `width` is inside a paragraph."""
    if not previous.strip() or not following.strip() or _LIST_ITEM.match(following):
        return False
    stripped = following.strip()
    looks_like_heading = _NUMBERED_LINE.match(stripped) and display_width(stripped) < 0.7 * width
    if looks_like_heading and stripped[-1] not in ".,;:。，；：":
        return False
    first_word = _CJK.match(stripped) or re.match(r"\S+", stripped)
    needed = (
        display_width(previous.rstrip())
        + 1
        + display_width(first_word.group() if first_word else "")
    )
    return needed > width - 3


def join_lines(previous: str, following: str) -> str:
    """Two wrapped lines as one: no space between CJK characters or after a hyphenated break."""
    left, right = previous.rstrip(), following.strip()
    if not left or not right:
        return left + right
    if (_WIDE.match(left[-1]) and _WIDE.match(right[0])) or (
        left[-1] == "-" and left[-2:-1].isalpha()
    ):
        return left + right
    return f"{left} {right}"


def join_wrapped_lines(lines: list[str]) -> str:
    """The lines with hard-wrapped paragraphs re-joined and runs of blank lines reduced to one."""
    width = wrap_width(lines)
    out: list[str] = []
    previous = ""  # the last source line, not the paragraph joined so far
    for line in lines:
        if not line.strip():
            if out and out[-1]:
                out.append("")
            previous = ""
            continue
        if width and previous and is_soft_break(previous, line, width):
            out[-1] = join_lines(out[-1], line)
        else:
            out.append(line.rstrip())
        previous = line
    return "\n".join(out).strip("\n")


def _attach_lone_bullets(lines: list[str]) -> list[str]:
    """Bullets left alone on their lines by copy-paste ('-', '•') become the prefix of their item."""
    out: list[str] = []
    bullet = False
    for line in lines:
        if len(line.strip()) == 1 and line.strip() in _BULLETS:
            bullet = True
            continue
        if bullet and line.strip():
            line, bullet = "• " + line.strip(), False
        out.append(line)
    return out


def split_heading_number(text: str) -> tuple[str | None, str]:
    """('3.1', 'Learned Tokens') from '3.1 Learned Tokens'; (None, text) when it is not numbered."""
    text = " ".join(text.split())
    match = _HEADING_NUMBER.fullmatch(text)
    if match is None:
        return None, text
    if match.group("number"):
        return match.group("number").rstrip("."), match.group("title")
    return match.group("cn"), match.group("cn_title")


def abstract_under_heading(text: str, headings: list[Heading], limit: int = 3000) -> str:
    """The text under an 'Abstract' / '摘要' heading up to the next heading (the longest such, past any contents list)."""
    ordered = sorted(headings, key=lambda heading: heading.char_start)
    found = ""
    for index, heading in enumerate(ordered):
        if heading.title.strip().rstrip(":：").strip().casefold() in _ABSTRACT_TITLES:
            start = text.find("\n", heading.char_start)
            end = ordered[index + 1].char_start if index + 1 < len(ordered) else len(text)
            body = text[start:end].strip() if start >= 0 else ""
            found = body if len(body) > len(found) else found
    return found[:limit]


def parse_date(value: object) -> date | None:
    """A date from a YAML value or a string such as '2025-01-23', '2025-01-23T10:00Z', '2025年1月23日'."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str | int):
        return None
    match = _DATE.search(str(value))
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def names_from(value: object) -> list[str]:
    """Author names from a string ('A, B and C'), a list of strings, or a list of {name|user: ...}."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("user") or item.get("login") or ""
        if not isinstance(item, str):
            continue
        separators = r";|、|，" if ";" in item or "、" in item or "，" in item else r",|\band\b|&"
        names.extend(part.strip() for part in re.split(separators, item) if part.strip())
    return _unique(names)


def terms_from(value: object) -> list[str]:
    """Keywords or categories from a list or a comma/semicolon separated string."""
    items = value if isinstance(value, list) else [value]
    terms: list[str] = []
    for item in items:
        if isinstance(item, str | int | float):
            terms.extend(
                part.strip() for part in re.split(r"[,;，；、]", str(item)) if part.strip()
            )
    return _unique(terms)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# Title and authors at the head of a plain-text paper.

_MACRO = re.compile(r"\\[A-Za-z]+\*?(?:\[[^\]]*\])?(?:\{[^}]*\})?|^\[\]")
_NAME_MARKERS = re.compile(r"[*†‡§¶∗⋆#\d]+$")
_NAME_WORD = re.compile(r"(?:[A-Z][\w'’.-]*|[A-Z]\.)", re.UNICODE)
_PARTICLES = frozenset(
    ("von", "van", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "ben", "bin",
     "al", "el", "dos", "das", "y")
)  # fmt: skip
_NOT_NAME = frozenset(
    (
        "university", "institute", "laboratory", "lab", "labs", "inc", "corp", "corporation",
        "company", "college", "school", "department", "center", "centre", "academy", "research",
        "google", "microsoft", "meta", "deepmind", "openai", "nvidia", "hugging", "face", "ai",
        "contribution", "contributions", "equal", "corresponding", "author", "authors", "abstract",
        "introduction", "work", "technical", "report", "preprint", "conference", "proceedings",
        "arxiv",
        # Words of title-case paper titles, which otherwise read like names.
        "learning", "model", "models", "network", "networks", "neural", "deep", "vision",
        "language", "languages", "efficient", "small", "large", "towards", "via", "using",
        "attention", "data", "training", "transformer", "transformers", "multimodal",
        "generation", "understanding", "analysis", "study", "survey", "approach", "method",
        "system", "systems", "reasoning", "benchmark", "image", "images", "video", "graph",
        "robust", "scalable", "fast", "all", "is", "are", "you", "need", "of", "for", "the",
        "with", "on", "in", "to", "an",
    )
)  # fmt: skip
_CJK_NAME = re.compile(f"[{CJK_CHAR}]{{2,4}}")
_HEAD_END = re.compile(r"(abstract|摘\s*要)\b", re.IGNORECASE)
_JUNK = re.compile(
    r"https?://|www\.|@|当前位置|首页\s*>|!\[|^\W*$|published as|under review|preprint|arxiv:\s*\d",
    re.IGNORECASE,
)


def title_and_authors(
    text: str, headings: list[Heading], max_lines: int = 40
) -> tuple[str, list[str]]:
    """The title and author names found in the lines before the abstract or first heading."""
    lines, reached_abstract = _head_lines(text, headings, max_lines)
    if not lines:
        return "", []
    if _looks_like_title(lines[0]):
        return lines[0], _names_in_run(lines[1:])
    # Authors (or page furniture) come first: the title is the line just before the abstract,
    # else the first line that looks like one.
    first_names = next((i for i, line in enumerate(lines) if _names(line)), len(lines))
    authors = _names_in_run(lines[first_names:])
    if reached_abstract and _looks_like_title(lines[-1]):
        return lines[-1], authors
    return next((line for line in lines if _looks_like_title(line)), ""), authors


def _head_lines(text: str, headings: list[Heading], max_lines: int) -> tuple[list[str], bool]:
    """Cleaned non-empty lines before the abstract or the first heading, and whether an abstract ended them."""
    first_heading = min(
        (h.char_start for h in headings if not _HEAD_END.match(h.title)), default=len(text)
    )
    lines: list[str] = []
    for line in text[:first_heading].split("\n"):
        if _HEAD_END.match(line.strip()):
            return lines, True
        cleaned = _clean_head_line(line)
        if cleaned:
            lines.append(cleaned)
        if len(lines) >= max_lines:
            break
    return lines, False


def _clean_head_line(line: str) -> str:
    cleaned = _MACRO.sub("", line).strip()
    return "" if _JUNK.search(cleaned) else cleaned


def _looks_like_title(line: str) -> bool:
    if not 3 <= len(line) <= 250 or line[-1] in ".,;。，；、" or _names(line):
        return False
    if line.casefold().startswith(("figure", "table", "fig.", "图", "表")):
        return False
    words = line.split()
    if _CJK.search(line):
        return len(_CJK.findall(line)) >= 4
    lowered = {word.strip(",:").casefold() for word in words}
    return len(words) >= 3 or (len(words) == 2 and not lowered & _NOT_NAME and ":" in line)


def _names_in_run(lines: list[str]) -> list[str]:
    """Names from the consecutive lines that are lists of names, starting with the first line."""
    names: list[str] = []
    for line in lines:
        found = _names(line)
        if not found:
            break
        names.extend(found)
    return _unique(names)


def _names(line: str) -> list[str]:
    """The names a line lists ('A B, C D and E F', '张三、李四'), or [] when it is something else."""
    parts = [part.strip() for part in re.split(r",|;|，|、|\band\b|&", line) if part.strip()]
    if not parts:
        return []
    names = []
    for part in parts:
        part = _NAME_MARKERS.sub("", part).strip()
        if not (_is_latin_name(part) or _CJK_NAME.fullmatch(part)):
            return []
        names.append(part)
    return names


def _is_latin_name(part: str) -> bool:
    words = part.split()
    capitalised = [word for word in words if word.casefold() not in _PARTICLES]
    if not 2 <= len(capitalised) <= 3 or len(words) > 5:
        return False
    if any(word.casefold().strip(".") in _NOT_NAME for word in words):
        return False
    return all(_NAME_WORD.fullmatch(word) for word in capitalised)
