"""HTML pages: the main article's text as paragraphs and headings, with citation/OpenGraph metadata."""

import codecs
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from papershelf.core.tokens import CJK_CHAR, count_tokens, detect_language
from papershelf.ingest.arxiv_ids import parse_arxiv_reference
from papershelf.ingest.base import Heading, ParsedDocument
from papershelf.ingest.text import (
    decode_text,
    names_from,
    parse_date,
    split_heading_number,
    terms_from,
)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
# WHATWG: labels browsers decode with a superset encoding, and UTF-16 labels a meta tag cannot mean.
_LABEL_OVERRIDES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252",
    "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "utf-16": "utf-8",
    "utf-16le": "utf-8", "utf-16be": "utf-8",
}  # fmt: skip
_CJK = re.compile(f"[{CJK_CHAR}]")
_SITE_SEPARATOR = re.compile(r"\s+[-–—|·•»_]\s+|\s*\|\s*|-(?=CSDN)|_(?=[\u4e00-\u9fff]{2,8}$)")
_ABSTRACT_MIN_TOKENS = 50
_DATE_KEYS = (
    "citation_publication_date", "citation_date", "citation_online_date", "article:published_time",
    "datepublished", "dc.date", "date",
)  # fmt: skip


class HtmlParser:
    """Parses HTML pages: the main content without navigation, sidebars or footers."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        html, warnings = decode_html(data, name)
        tree = LexborHTMLParser(html)
        meta = _meta_tags(tree)
        text, headings = _render(page_blocks(tree))
        site = _first(meta, "og:site_name", "application-name")
        first_h1 = next((h for h in headings if h.level == 1), None)
        title_tag = tree.css_first("title")
        title = _clean_title(
            _first(meta, "citation_title", "dc.title", "og:title", "twitter:title")
            or (title_tag.text(deep=True) if title_tag else "")
            or (_label(first_h1) if first_h1 else ""),
            site,
        )
        arxiv = (
            parse_arxiv_reference(_first(meta, "citation_arxiv_id"))
            if meta.get("citation_arxiv_id")
            else None
        )
        return ParsedDocument(
            kind="html",
            text=text,
            headings=headings,
            title=title,
            authors=_authors(meta),
            abstract=_abstract(meta),
            arxiv_id=arxiv.id if arxiv else None,
            arxiv_version=arxiv.version if arxiv else None,
            published=parse_date(_first(meta, *_DATE_KEYS)),
            keywords=terms_from(meta.get("citation_keywords") or meta.get("keywords") or []),
            language=detect_language(text),
            warnings=warnings,
        )


def decode_html(data: bytes, name: str) -> tuple[str, list[str]]:
    """The page as text: by its BOM, else its declared charset, else UTF-8, GB18030 or Windows-1252."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data, name), []
    warnings: list[str] = []
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        label = (declared.group(1) or declared.group(2)).decode("ascii").lower()
        try:
            codec = _LABEL_OVERRIDES.get(label) or codecs.lookup(label).name
        except LookupError:
            warnings.append(f"{name}: unknown charset {label!r}; the encoding was guessed")
        else:
            try:
                return data.decode(codec), warnings
            except UnicodeDecodeError:
                warnings.append(f"{name}: bytes invalid in its charset {label!r} were replaced")
                return data.decode(codec, errors="replace"), warnings
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _CJK.search(text):
            return text, warnings
    except UnicodeDecodeError:
        pass
    warnings.append(f"{name}: no usable charset; decoded as Windows-1252")
    return data.decode("cp1252", errors="replace"), warnings


def _render(blocks: list[tuple[str, str, int]]) -> tuple[str, list[Heading]]:
    """Joins (kind, text, level) blocks into the output text; list items and table rows stay tight."""
    parts: list[str] = []
    headings: list[Heading] = []
    length = 0
    previous_kind = ""
    for kind, text, level in blocks:
        if parts:
            separator = "\n" if kind == previous_kind and kind in ("item", "row") else "\n\n"
            parts.append(separator)
            length += len(separator)
        if kind == "heading":
            number, title = split_heading_number(text)
            headings.append(Heading(title=title, number=number, level=level, char_start=length))
        parts.append(text)
        length += len(text)
        previous_kind = kind
    return "".join(parts), headings


def _meta_tags(tree: LexborHTMLParser) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attributes = node.attributes
        key = attributes.get("name") or attributes.get("property") or attributes.get("itemprop")
        content = " ".join((attributes.get("content") or "").split())
        if key and content:
            meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _first(meta: dict[str, list[str]], *keys: str) -> str:
    return next((meta[key][0] for key in keys if meta.get(key)), "")


def _label(heading: Heading) -> str:
    return f"{heading.number} {heading.title}" if heading.number else heading.title


def _clean_title(title: str, site: str) -> str:
    """The title without a site suffix such as ' - cnblogs', ' | Site' or '-CSDN博客'."""
    title = " ".join(title.split())
    for _ in range(2):
        separators = list(_SITE_SEPARATOR.finditer(title))
        if not separators:
            break
        last = separators[-1]
        head, suffix = title[: last.start()].strip(), title[last.end() :].strip()
        is_site = bool(site) and suffix.casefold() == site.casefold()
        if not head or not (is_site or (len(suffix) <= 30 and len(head) >= len(suffix))):
            break
        title = head
    return title


def _authors(meta: dict[str, list[str]]) -> list[str]:
    cited = meta.get("citation_author") or meta.get("dc.creator")
    if cited:
        # Citation tags hold one author each, often as 'Last, First'.
        return [" ".join(reversed([p.strip() for p in name.split(",", 1)])) for name in cited]
    named = [
        value
        for value in meta.get("author", []) + meta.get("article:author", [])
        if "://" not in value
    ]
    return names_from(named)


def _abstract(meta: dict[str, list[str]]) -> str:
    cited = _first(meta, "citation_abstract", "dc.description")
    if cited:
        return cited
    description = _first(meta, "description", "og:description", "twitter:description")
    return description if count_tokens(description) >= _ABSTRACT_MIN_TOKENS else ""


# Main-content extraction.

_DROPPED_TAGS = [
    "script", "style", "noscript", "template", "svg", "nav", "aside", "button", "iframe",
    "select", "textarea", "input", "menu", "dialog", "canvas", "object", "embed", "footer",
]  # fmt: skip
_DROPPED_ROLES = (
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog",
    "alert",
)  # fmt: skip
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|sidebar|side-bar|footer|comments?|share|sharing|social"
    r"|breadcrumbs?|cookies?|consent|advert|ads|related|subscribe|popup|modal|toolbar|pagination)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    (
        "p", "div", "section", "article", "main", "header", "li", "ul", "ol", "blockquote", "pre",
        "table", "thead", "tbody", "tfoot", "tr", "dl", "dt", "dd", "figure", "figcaption", "hr",
        "address", "details", "summary", "caption", "center", "h1", "h2", "h3", "h4", "h5", "h6",
    )
)  # fmt: skip
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_NEWLINE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK_CHAR}，。、；：！？])[ \t]*\n\s*(?=[{CJK_CHAR}])")
_LINE_BREAK = "\u2028"  # stands for <br> until whitespace is collapsed


def page_blocks(tree: LexborHTMLParser) -> list[tuple[str, str, int]]:
    """The main content as (kind, text, level) blocks: heading, para, item, row or code."""
    body = tree.body
    if body is None:
        return []
    _drop_boilerplate(tree, body)
    return _BlockWriter().write(_main_root(body))


def _drop_boilerplate(tree: LexborHTMLParser, body: LexborNode) -> None:
    tree.strip_tags(_DROPPED_TAGS)
    body_length = len(body.text(deep=True))
    hidden = "[hidden], [aria-hidden='true'], [style*='display:none'], [style*='display: none']"
    doomed = list(tree.css(hidden))
    # Forms, landmark roles and boilerplate class names sometimes wrap the whole page; keep those.
    roles = ", ".join(f"[role='{role}']" for role in _DROPPED_ROLES)
    suspects = list(tree.css(f"form, {roles}"))
    for node in tree.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag not in ("html", "body", "main", "article") and _BOILERPLATE.search(names):
            suspects.append(node)
    doomed += [node for node in suspects if _is_page_furniture(node, body_length)]
    for node in tree.css("header"):
        inside_article = any(parent.tag in ("article", "main") for parent in _ancestors(node))
        if not (inside_article and node.css_first("h1, h2")):
            doomed.append(node)
    doomed_ids = {node.mem_id for node in doomed}
    for node in doomed:
        # Removing a node whose ancestor is already gone would touch freed memory.
        if not any(parent.mem_id in doomed_ids for parent in _ancestors(node)):
            node.decompose()


def _is_page_furniture(node: LexborNode, body_length: int) -> bool:
    """True unless the node holds the main content (an article, or half of the page's text)."""
    if node.css_first("article, main, [role=main]") is not None:
        return False
    return len(node.text(deep=True)) < 0.5 * body_length


def _ancestors(node: LexborNode) -> list[LexborNode]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def _main_root(body: LexborNode) -> LexborNode:
    """The article, main element, or densest block of paragraphs; the body when none stands out."""
    body_length = len(body.text(deep=True).strip())
    for selector in ("article", "main, [role=main]"):
        nodes = body.css(selector)
        if nodes:
            best = max(nodes, key=lambda node: len(node.text(deep=True)))
            if len(best.text(deep=True).strip()) >= min(200, 0.2 * body_length):
                return best
    scores: dict[int, float] = {}
    nodes_by_id: dict[int, LexborNode] = {}
    for paragraph in body.css("p, pre, blockquote"):
        length = len(paragraph.text(deep=True).strip())
        if length < 25:
            continue
        score = 1 + paragraph.text(deep=True).count(",") + min(length / 100, 3)
        parent = paragraph.parent
        for share in (1.0, 0.5):
            if parent is None:
                break
            scores[parent.mem_id] = scores.get(parent.mem_id, 0) + score * share
            nodes_by_id[parent.mem_id] = parent
            parent = parent.parent
    if not scores:
        return body
    return nodes_by_id[max(scores, key=lambda key: scores[key])]


class _BlockWriter:
    """Walks the content tree without recursion and writes its blocks."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str, int]] = []
        self.inline: list[str] = []
        self.kind = "para"

    def write(self, root: LexborNode) -> list[tuple[str, str, int]]:
        stack: list[tuple[LexborNode, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            tag = node.tag or ""
            if not entering:
                self._flush()
                if tag == "li":
                    self.kind = "para"
                continue
            if tag == "-text":
                self.inline.append(node.text(deep=False))
            elif tag == "br":
                self.inline.append(_LINE_BREAK)
            elif tag in _HEADING_TAGS or tag == "pre" or tag == "table":
                self._flush()
                self._write_leaf_block(node, tag)
            elif tag in _BLOCK_TAGS or tag == root.tag:
                self._flush()
                if tag == "li":
                    self.kind = "item"
                stack.append((node, False))
                children = list(node.iter(include_text=True))
                stack.extend((child, True) for child in reversed(children))
            elif tag and not tag.startswith("-"):
                children = list(node.iter(include_text=True))
                stack.extend((child, True) for child in reversed(children))
        self._flush()
        return self.blocks

    def _write_leaf_block(self, node: LexborNode, tag: str) -> None:
        if tag in _HEADING_TAGS:
            text = _collapse(node.text(deep=True, separator=" "))
            if text:
                self.blocks.append(("heading", text, _HEADING_TAGS[tag]))
        elif tag == "pre":
            code = node.text(deep=True).strip("\n")
            if code.strip():
                self.blocks.append(("code", code, 0))
        else:
            for row in node.css("tr"):
                cells = [
                    _collapse(cell.text(deep=True, separator=" ")) for cell in row.css("th, td")
                ]
                if any(cells):
                    self.blocks.append(("row", " | ".join(cells), 0))

    def _flush(self) -> None:
        text = _collapse("".join(self.inline))
        self.inline = []
        if text:
            prefix = "- " if self.kind == "item" else ""
            self.blocks.append((self.kind, prefix + text, 0))
            self.kind = "para"


def _collapse(text: str) -> str:
    """Whitespace as a browser shows it: runs become one space, <br> a newline, none between CJK."""
    text = _NEWLINE_BETWEEN_CJK.sub("", text)
    lines = [" ".join(line.split()) for line in text.split(_LINE_BREAK)]
    return "\n".join(line for line in lines if line).strip()
