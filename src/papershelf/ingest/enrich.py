"""Metadata asked of an LLM (title, authors, categories, keywords), with its answers cleaned of
the chatter small local models add. Optional and forgiving: it never raises."""

import ast
import json
import re
from typing import Any

from pydantic import BaseModel, Field

from papershelf.core.errors import SourceUnavailable
from papershelf.ingest.base import ParsedDocument
from papershelf.llm.openai_compat import OpenAICompatClient

MAX_CATEGORIES = 10
MAX_KEYWORDS = 15
MAX_AUTHORS = 100
MAX_TITLE_CHARS = 300
MAX_ITEM_CHARS = 80
HEAD_CHARS = 2000  # title and authors sit on the first page
EXCERPT_CHARS = 6000
MAX_ANSWER_CHARS = 20000  # bounds the bracket search on a runaway answer

SYSTEM_PROMPT = (
    "You read research papers and report facts about them. Reply with exactly what is asked, "
    "in the format asked, and nothing else: no explanations, no notes."
)
TITLE_PROMPT = (
    "Here is the start of a research paper. What is its title? Reply with the title alone on "
    "one line, without quotation marks or a label.\n\n---\n{head}"
)
AUTHORS_PROMPT = (
    "Here is the start of a research paper. Who wrote it? Reply with a JSON array of the "
    'authors\' names as strings, like ["Ada Lovelace", "Alan Turing"]. Names only: leave out '
    "affiliations, e-mail addresses and footnote marks.\n\n---\n{head}"
)
CATEGORIES_PROMPT = (
    "Which research fields does this paper belong to? Give at most {limit}, named the way "
    'academic fields usually are ("Computer Vision", "Natural Language Processing", "Machine '
    'Learning", ...). Reply with a JSON array of strings only.\n\n---\n{excerpt}'
)
KEYWORDS_PROMPT = (
    "List at most {limit} keywords or short key phrases that characterise this paper: its "
    "methods, models, datasets and tasks, in the paper's own language. Reply with a JSON array "
    "of strings only.\n\n---\n{excerpt}"
)


class Enrichment(BaseModel):
    """What the LLM said about a document; empty fields when it was not asked or not reachable."""

    title: str = ""
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def enrich_metadata(parsed: ParsedDocument, client: OpenAICompatClient | None) -> Enrichment:
    """Ask for the title and authors (only when `parsed` lacks them), categories and keywords.

    The first failing request (unreachable endpoint, unknown model, timeout) ends the asking:
    what was answered so far is kept and the failure becomes a warning.
    """
    if client is None:
        return Enrichment()
    head = parsed.text[:HEAD_CHARS]
    excerpt = "\n\n".join(
        part for part in (parsed.title, parsed.abstract, parsed.text[:EXCERPT_CHARS]) if part
    )
    questions: list[tuple[str, str]] = []
    if not parsed.title:
        questions.append(("title", TITLE_PROMPT.format(head=head)))
    if not parsed.authors:
        questions.append(("authors", AUTHORS_PROMPT.format(head=head)))
    questions.append(
        ("categories", CATEGORIES_PROMPT.format(limit=MAX_CATEGORIES, excerpt=excerpt))
    )
    questions.append(("keywords", KEYWORDS_PROMPT.format(limit=MAX_KEYWORDS, excerpt=excerpt)))

    enrichment = Enrichment()
    for field, prompt in questions:
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": prompt},
        ]
        try:
            answer = client.complete(messages, temperature=0)
        except SourceUnavailable as exc:
            enrichment.warnings.append(f"LLM enrichment stopped before the {field}: {exc}")
            break
        if field == "title":
            enrichment.title = parse_llm_title(answer)
        elif field == "authors":
            enrichment.authors = clean_authors(parse_llm_list(answer))
        elif field == "categories":
            enrichment.categories = parse_llm_list(answer)[:MAX_CATEGORIES]
        else:
            enrichment.keywords = parse_llm_list(answer)[:MAX_KEYWORDS]
    return enrichment


_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.I)
_THINK_OPEN = re.compile(r"<(?:think|thinking|reasoning)>", re.I)
_FENCED = re.compile(r"```[\w+-]*[ \t]*\n?(.*?)(?:```|$)", re.S)
_BULLET = re.compile(r"^\s*(?:[-*•·+>]+|\d{1,3}\s*[.)、:：](?!\d)|\(\d{1,3}\)|#+)\s*")
_LABEL = re.compile(
    r"^\s*(?:(?:keywords?|key phrases|categories|category|fields|authors?|(?:paper )?title|"
    r"关键词|关键字|类别|分类|领域|作者|标题|论文标题|题目)\s*[:：]|the title (?:of \w+ paper )?is:?)\s*",
    re.I,
)
_PREAMBLE = re.compile(r"^(?:here|sure|okay|ok|certainly|below|以下|好的)\b", re.I)
_QUOTES = "\"'`“”‘’「」『』《》«»"
_AFFILIATION = re.compile(
    r"\b(?:universit\w*|institute|inc|ltd|lab|laborator\w*|college|department|school|"
    r"corporation|research|center|centre|academy)\b|大学|学院|研究院|研究所|实验室|公司",
    re.I,
)
_FOOTNOTE_MARKS = re.compile(r"[*†‡§¶#∗⋆]+|(?<=[^\W\d])\d+(?:,\d+)*\b|\s\d+(?:,\d+)*$")
_NAME_SEPARATOR = re.compile(r"\s+and\s+|\s*[&、;；]\s*")
_LIST_KEYS = ("keywords", "categories", "authors", "items", "list", "results", "result", "data")
_ITEM_KEYS = ("name", "keyword", "category", "author", "title", "value", "text", "term")


def parse_llm_list(text: str) -> list[str]:
    """The list an LLM meant to give, from a JSON array, a JSON object holding one, Python-style
    or sloppy JSON, or plain lines and commas; cleaned and without duplicates."""
    answer = _without_chatter(text)
    value = _first_json_value(answer)
    items = _strings_in(value) if value is not None else _split_plain(answer)
    cleaned: dict[str, str] = {}
    for item in items:
        item = _clean_item(item)
        if item and len(item) <= MAX_ITEM_CHARS and len(item.split()) <= 10:
            cleaned.setdefault(item.casefold(), item)
    return list(cleaned.values())


def parse_llm_title(text: str) -> str:
    """The title an LLM meant to give, without labels, quotes, Markdown or explanations."""
    answer = _without_chatter(text)
    value = _first_json_value(answer) if answer[:1] in "[{" else None
    if isinstance(value, dict):
        value = value.get("title") or next((v for v in value.values() if isinstance(v, str)), "")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    lines = [value] if isinstance(value, str) and value else answer.splitlines()
    for line in lines:
        candidate = line.strip()
        if not candidate or (_PREAMBLE.match(candidate) and candidate.endswith((":", "："))):
            continue
        title = _clean_item(_LABEL.sub("", candidate, count=1)).rstrip("。")
        if title:
            return " ".join(title.split())[:MAX_TITLE_CHARS].rstrip()
    return ""


def clean_authors(names: list[str]) -> list[str]:
    """Person names only: footnote marks and e-mails removed, affiliations left out."""
    authors: dict[str, str] = {}
    for raw in (part for name in names for part in _NAME_SEPARATOR.split(name)):
        if "@" in raw or _AFFILIATION.search(raw):
            continue
        name = " ".join(_FOOTNOTE_MARKS.sub(" ", raw).split()).strip(" ,;")
        if name and len(name.split()) <= 6 and not any(c.isdigit() for c in name):
            authors.setdefault(name.casefold(), name)
    return list(authors.values())[:MAX_AUTHORS]


def _without_chatter(text: str) -> str:
    """The answer without reasoning blocks (closed or not) and without code fences."""
    text = _THINK_BLOCK.sub("", text or "")
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:  # some chat templates swallow the opening tag
        text = text[closes[-1].end() :]
    opening = _THINK_OPEN.search(text)
    if opening:  # reasoning cut off before it ended: no answer in it
        text = text[: opening.start()]
    fenced = _FENCED.search(text)
    if fenced and fenced.group(1).strip():
        text = fenced.group(1)
    return text.strip()


def _first_json_value(text: str) -> Any:
    """The first bracketed part of `text` that parses (leniently) as an object or a list of
    strings; a list of numbers ('[1]', a citation mark) only when nothing better follows."""
    fallback = None
    text = text[:MAX_ANSWER_CHARS]
    for start, char in enumerate(text):
        if char not in "[{":
            continue
        end = _matching_close(text, start)
        value = _lenient_loads(text[start : end + 1] if end is not None else text[start:])
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, str | dict) for v in value)
        ):
            return value
        if isinstance(value, list) and fallback is None:
            fallback = value
    return fallback


def _matching_close(text: str, start: int) -> int | None:
    depth, quote, escaped = 0, "", False
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char == '"' or (char == "'" and not text[index - 1].isalnum()):
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _lenient_loads(segment: str) -> Any:
    straightened = segment.translate(str.maketrans("“”", '""'))
    without_trailing_commas = re.sub(r",\s*([\]}])", r"\1", straightened)
    for attempt in (segment, straightened, without_trailing_commas):
        try:
            return json.loads(attempt)
        except ValueError:
            pass
    try:  # single quotes, trailing commas: a Python literal, evaluated safely
        return ast.literal_eval(without_trailing_commas)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return _split_plain(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        return [s for item in value for s in _strings_in(_item_text(item))]
    if isinstance(value, dict):
        for key in _LIST_KEYS:
            if isinstance(value.get(key), list):
                return _strings_in(value[key])
        lists = [v for v in value.values() if isinstance(v, list)]
        if lists:
            return _strings_in(lists[0])
        texts = [v for v in value.values() if isinstance(v, str)]
        return texts if texts else [str(k) for k in value]  # {"Computer Vision": 0.9, ...}
    return []


def _item_text(item: Any) -> Any:
    if isinstance(item, dict):
        for key in _ITEM_KEYS:
            if isinstance(item.get(key), str):
                return item[key]
        return next((v for v in item.values() if isinstance(v, str)), "")
    return item


def _split_plain(answer: str) -> list[str]:
    lines = [ln.strip() for ln in answer.splitlines() if ln.strip()]
    lines = [
        ln
        for ln in lines
        if not (ln.endswith((":", "：")) or (len(lines) > 1 and _PREAMBLE.match(ln)))
    ]
    if len(lines) == 1 or (lines and all(re.search(r"[,，、;；]", ln) for ln in lines)):
        return [part for ln in lines for part in re.split(r"[,，、;；]", _LABEL.sub("", ln))]
    return lines


def _clean_item(item: str) -> str:
    item = _BULLET.sub("", str(item)).replace("**", "").replace("__", "")
    previous = None
    while previous != item:
        previous = item
        item = item.strip().strip(_QUOTES).strip().rstrip(".,;:。，；、：").strip()
    return " ".join(item.split())
