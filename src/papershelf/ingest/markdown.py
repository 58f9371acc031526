"""Markdown documents: YAML front matter, ATX and setext headings, and readable prose without the markup."""

import re
from dataclasses import dataclass
from typing import Any

import yaml

from papershelf.core.tokens import detect_language
from papershelf.ingest.arxiv_ids import parse_arxiv_reference
from papershelf.ingest.base import Heading, ParsedDocument
from papershelf.ingest.text import (
    abstract_under_heading,
    decode_text,
    is_soft_break,
    join_lines,
    names_from,
    normalise_newlines,
    parse_date,
    split_heading_number,
    terms_from,
    wrap_width,
)

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_REFERENCE_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s*\S+.*")
_TABLE_DELIMITER = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s+")
_QUOTE = re.compile(r" {0,3}>")
_HTML_BLOCK = re.compile(r" {0,3}</?[A-Za-z][\w-]*[\s/>]|<!")
_HEADING_ID = re.compile(r"\s*\{#[^}]*\}\s*$")
_COMMENT = re.compile(r"[ \t]*<!--.*?-->", re.DOTALL)


@dataclass
class _Block:
    kind: str  # blank, heading, code, para, item, quote, table, html
    text: str = ""
    level: int = 0


class MarkdownParser:
    """Parses Markdown (CommonMark-ish) with optional YAML front matter."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        source = normalise_newlines(decode_text(data, name))
        lines = source.split("\n")
        meta, body_start, warnings = _front_matter(lines, name)
        text, headings = _render(_merge_wrapped(_blocks(lines[body_start:])))
        first_h1 = next((h for h in headings if h.level == 1), None)
        title = _string(meta.get("title")) or (
            _heading_text(first_h1) if first_h1 else _first_line_title(text)
        )
        arxiv_id, arxiv_version = _arxiv(meta, warnings)
        abstract = _string(meta.get("abstract") or meta.get("summary") or meta.get("description"))
        return ParsedDocument(
            kind="markdown",
            text=text,
            headings=headings,
            title=title,
            authors=names_from(meta.get("authors", meta.get("author", []))),
            abstract=abstract or abstract_under_heading(text, headings),
            arxiv_id=arxiv_id,
            arxiv_version=arxiv_version,
            published=parse_date(meta.get("published") or meta.get("date") or meta.get("pubdate")),
            keywords=terms_from(meta.get("keywords", meta.get("tags", []))),
            categories=terms_from(meta.get("categories", [])),
            language=detect_language(text),
            warnings=warnings,
        )


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, Any], int, list[str]]:
    """The YAML front matter as a dict, the index of the first body line, and warnings."""
    if not lines or lines[0].strip() != "---":
        return {}, 0, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return {}, 0, []
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        problem = str(error).splitlines()[0]
        return (
            {},
            end + 1,
            [f"{name}: front matter is not valid YAML ({problem}); its metadata was ignored"],
        )
    if meta is None:
        return {}, end + 1, []
    if not isinstance(meta, dict):
        return (
            {},
            end + 1,
            [f"{name}: front matter is not a YAML mapping; its metadata was ignored"],
        )
    return {str(key).lower(): value for key, value in meta.items()}, end + 1, []


def _blocks(lines: list[str]) -> list[_Block]:
    """One block per source line, classified; fenced code and HTML comments already handled."""
    blocks: list[_Block] = []
    fence: str | None = None
    in_comment = False
    for line in lines:
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
                blocks.append(_Block("blank"))
            else:
                blocks.append(_Block("code", line) if line.strip() else _Block("blank"))
            continue
        visible, in_comment = _without_comments(line, in_comment)
        if visible is None:
            continue
        opening = _FENCE.fullmatch(visible)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            fence = opening.group(1)
            blocks.append(_Block("blank"))
            continue
        block = _classify(visible, blocks)
        if block is not None:
            blocks.append(block)
    return blocks


def _without_comments(line: str, in_comment: bool) -> tuple[str | None, bool]:
    """The line with HTML comments removed (None when nothing is left), and whether one stays open."""
    original = line
    if in_comment:
        end = line.find("-->")
        if end < 0:
            return None, True
        line = line[end + 3 :]
    line = _COMMENT.sub("", line)
    opened = line.find("<!--")
    if opened >= 0:
        line, in_comment = line[:opened], True
    else:
        in_comment = False
    if line != original and not line.strip():
        return None, in_comment
    return line, in_comment


def _classify(line: str, previous: list[_Block]) -> _Block | None:
    """The block a line starts or continues; None for pure markup (a table's delimiter row)."""
    if not line.strip():
        return _Block("blank")
    atx = _ATX.fullmatch(line)
    if atx:
        return _Block("heading", atx.group(2) or "", len(atx.group(1)))
    underline = _SETEXT.fullmatch(line)
    if underline and previous and previous[-1].kind == "para":
        return _setext_heading(previous, 1 if underline.group(1)[0] == "=" else 2)
    if _THEMATIC_BREAK.fullmatch(line) or _REFERENCE_DEFINITION.fullmatch(line):
        return _Block("blank")
    stripped = line.strip()
    if stripped.startswith("|") or (
        stripped.count("|") >= 2 and _TABLE_DELIMITER.fullmatch(stripped)
    ):
        return None if _TABLE_DELIMITER.fullmatch(stripped) else _Block("table", stripped)
    if _QUOTE.match(line):
        return _Block("quote", re.sub(r"^ {0,3}(?:> ?)+", "", line))
    if _LIST_ITEM.match(line):
        return _Block("item", line.rstrip())
    if _HTML_BLOCK.match(line):
        return _Block("html", stripped)
    return _Block("para", line.strip())


def _setext_heading(previous: list[_Block], level: int) -> _Block:
    """Turns the paragraph lines just read into the heading their underline makes of them."""
    parts: list[str] = []
    while previous and previous[-1].kind == "para":
        parts.insert(0, previous.pop().text)
    return _Block("heading", " ".join(parts), level)


def _merge_wrapped(blocks: list[_Block]) -> list[_Block]:
    """Re-joins paragraph lines that were hard-wrapped in the source."""
    width = wrap_width([block.text for block in blocks if block.kind in ("para", "item", "quote")])
    if width is None:
        return blocks
    merged: list[_Block] = []
    previous: _Block | None = None  # the last source line, not the paragraph joined so far
    for block in blocks:
        joinable = previous is not None and (
            (block.kind == "para" and previous.kind in ("para", "item"))
            or (block.kind == previous.kind == "quote")
        )
        if previous is not None and joinable and is_soft_break(previous.text, block.text, width):
            merged[-1].text = join_lines(merged[-1].text, block.text)
        else:
            merged.append(_Block(block.kind, block.text, block.level))
        previous = block
    return merged


def _render(blocks: list[_Block]) -> tuple[str, list[Heading]]:
    """The output text and its headings (offsets into that text)."""
    parts: list[str] = []
    headings: list[Heading] = []
    length = 0
    blank_before = False
    for block in blocks:
        if block.kind == "blank":
            blank_before = True
            continue
        line = block.text if block.kind == "code" else clean_inline(block.text)
        if block.kind == "heading":
            line = _HEADING_ID.sub("", line).strip()
        if not line.strip():
            continue
        if parts:
            separator = "\n\n" if blank_before or block.kind == "heading" else "\n"
            parts.append(separator)
            length += len(separator)
        if block.kind == "heading":
            number, title = split_heading_number(line)
            headings.append(
                Heading(title=title, number=number, level=block.level, char_start=length)
            )
        parts.append(line)
        length += len(line)
        blank_before = block.kind == "heading"
    return "".join(parts), headings


_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_INLINE_RULES = [
    (re.compile(r"!\[([^\]]*)\]\([^()]*(?:\([^()]*\)[^()]*)*\)"), r"\1"),  # image -> alt
    (re.compile(r"!\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^()]*(?:\([^()]*\)[^()]*)*\)"), r"\1"),  # link -> its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|ftp)://[^>\s]+)>"), r"\1"),  # autolink
    (re.compile(r"<img\b[^>]*?\balt\s*=\s*([\"'])(.*?)\1[^>]*>", re.IGNORECASE), r"\2"),
    (
        re.compile(
            r"</?(?:a|b|i|u|s|em|strong|span|div|p|br|sub|sup|small|big|font|center|details|summary"
            r"|figure|figcaption|video|source|iframe|picture|img|kbd|mark|abbr|cite|code|pre|table"
            r"|thead|tbody|tr|td|th|ul|ol|li|hr|h[1-6]|section|article|blockquote|del|ins)\b[^>]*>",
            re.IGNORECASE,
        ),
        "",
    ),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![A-Za-z0-9*])"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9_\\])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![A-Za-z0-9_])"), r"\1"),
]
_PROTECT = {ord(ch): chr(0xE000 + ord(ch)) for ch in "\\`*_{}[]()#+-.!|<>~"}
_RESTORE = {ord(protected): chr(original) for original, protected in _PROTECT.items()}


def clean_inline(text: str) -> str:
    """Prose without Markdown inline markup: link text and image alt stay, code spans stay verbatim."""
    pieces: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_clean_markup(text[position : span.start()]))
        pieces.append(span.group(2).strip() or span.group(2))
        position = span.end()
    pieces.append(_clean_markup(text[position:]))
    return "".join(pieces).strip()


def _clean_markup(text: str) -> str:
    text = _ESCAPED.sub(lambda match: match.group(1).translate(_PROTECT), text)
    for pattern, replacement in _INLINE_RULES:
        text = pattern.sub(replacement, text)
    return text.translate(_RESTORE)


def _heading_text(heading: Heading) -> str:
    return f"{heading.number} {heading.title}" if heading.number else heading.title


def _first_line_title(text: str) -> str:
    """The first line when it reads like a title (short, not a sentence, not a list or table)."""
    first = text.split("\n", 1)[0].strip()
    if not first or len(first) > 150 or first[-1] in ".。!！?？,，;；:：" or first[0] in "-*|>•":
        return ""
    return first


def _string(value: object) -> str:
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    return ""


def _arxiv(meta: dict[str, Any], warnings: list[str]) -> tuple[str | None, int | None]:
    value = meta.get("arxiv_id") or meta.get("arxiv") or meta.get("arxiv-id")
    if value is None:
        return None, None
    ref = parse_arxiv_reference(str(value))
    if ref is None:
        warnings.append(f"front matter arxiv id {value!r} is not a valid arXiv id; it was ignored")
        return None, None
    return ref.id, ref.version
