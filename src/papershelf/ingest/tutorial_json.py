"""The tutorial's MongoDB export of essays (a JSON array in extended JSON, or mongoexport's JSON
lines): read faithfully, written back in the same form."""

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field

from papershelf.core.errors import InputError

KNOWN_FIELDS = (
    "_id",
    "arxiv_id",
    "title",
    "authors",
    "categories",
    "keywords",
    "content",
    "publish_date",
    "insert_date",
)
DATE_FIELDS = ("publish_date", "insert_date")
_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")  # PDF 'D:20250408...'
_ITEM_KEYS = ("name", "title", "value", "text")


class TutorialEssay(BaseModel):
    """One essay as the tutorial's ingestion script stored it."""

    legacy_id: str | None = Field(default=None, description="The MongoDB ObjectId (`$oid`).")
    arxiv_id: str = Field(default="", description="As stored, version included: '2504.05299v1'.")
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    content: str
    publish_date: str = Field(default="", description="As stored, e.g. '2025-04-08'.")
    insert_date: str = Field(default="", description="As stored, e.g. '2026-01-14 10:40:51'.")
    bson_dates: list[str] = Field(
        default_factory=list,
        description="Date fields stored as BSON dates ({'$date': ...}), written back as such.",
    )
    date_forms: dict[str, Any] = Field(
        default_factory=dict,
        description="Date fields the file wrote other than as text ({'$date': ...}, null), "
        "exactly so; written back that way while the date's text is unchanged.",
    )
    extra: dict[str, Any] = Field(
        default_factory=dict, description="Other fields, exactly as they were in the file."
    )

    @property
    def published(self) -> date | None:
        return _parse_date(self.publish_date)

    @property
    def inserted(self) -> datetime | None:
        return _parse_datetime(self.insert_date)


def read_tutorial_export(data: bytes, *, source: str = "the export") -> list[TutorialEssay]:
    """The essays in a MongoDB export; InputError naming the line for broken JSON or an entry
    without content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not UTF-8 text (byte {exc.start}): export it again with mongoexport"
        ) from exc
    essays = []
    for number, (line, value) in enumerate(_json_documents(text, source), start=1):
        essays.append(_essay_from(value, f"{source}: entry {number} (line {line})"))
    return essays


def write_tutorial_export(essays: list[TutorialEssay]) -> bytes:
    """The essays as the tutorial exports them: a JSON array, `$oid` ids, its field order."""
    documents = [_document_of(essay) for essay in essays]
    # a lone surrogate (from a \ud800 escape in the source) goes back out as that escape
    return json.dumps(documents, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace")


def _json_documents(text: str, source: str) -> list[tuple[int, Any]]:
    """(line, value) of each document: the items of one JSON array, or JSON values one after
    another (mongoexport's default, one per line, or pretty-printed)."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position == len(text):
        raise InputError(f"{source} is empty: expected a JSON array of essays")
    if text[position] not in "[{":
        raise InputError(
            f"{source} is not a MongoDB export ({_where(text, position)}): expected a JSON "
            "array of essays or one JSON document per line"
        )
    in_array = text[position] == "["
    closed = not in_array
    if in_array:
        position = _skip_space(text, position + 1)
    documents: list[tuple[int, Any]] = []
    while position < len(text):
        if in_array and text[position] == "]" and not documents:
            position, closed = position + 1, True
            break
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _broken_json(source, exc.lineno, exc.colno, exc.msg) from exc
        documents.append((text.count("\n", 0, position) + 1, value))
        position = _skip_space(text, end)
        if not in_array:
            continue
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif text.startswith("]", position):
            position, closed = position + 1, True
            break
        else:
            raise _broken_json(source, *_line_column(text, position), "expected ',' or ']'")
    if not closed:
        raise _broken_json(source, *_line_column(text, position), "the array never ends")
    position = _skip_space(text, position)
    if position < len(text):
        raise _broken_json(source, *_line_column(text, position), "extra data after the array")
    return documents


def _essay_from(document: Any, where: str) -> TutorialEssay:
    if not isinstance(document, dict):
        raise InputError(f"{where} is not a JSON object: each essay must be {{...}}")
    content = document.get("content")
    if not isinstance(content, str) or not content.strip():
        raise InputError(f"{where} has no content: each essay needs its text in 'content'")
    publish_date, publish_bson = date_text(document.get("publish_date"))
    insert_date, insert_bson = date_text(document.get("insert_date"))
    return TutorialEssay(
        legacy_id=_object_id(document.get("_id")),
        arxiv_id=_text(document.get("arxiv_id")),
        title=_text(document.get("title")),
        authors=_string_list(document.get("authors")),
        categories=_string_list(document.get("categories")),
        keywords=_string_list(document.get("keywords")),
        content=content,
        publish_date=publish_date,
        insert_date=insert_date,
        bson_dates=[
            name
            for name, is_bson in (("publish_date", publish_bson), ("insert_date", insert_bson))
            if is_bson
        ],
        date_forms={
            name: document[name]
            for name in DATE_FIELDS
            if name in document and not isinstance(document[name], str)
        },
        extra={key: value for key, value in document.items() if key not in KNOWN_FIELDS},
    )


def _document_of(essay: TutorialEssay) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if essay.legacy_id is not None:
        is_object_id = _OBJECT_ID.match(essay.legacy_id)
        document["_id"] = {"$oid": essay.legacy_id} if is_object_id else essay.legacy_id
    document.update(
        arxiv_id=essay.arxiv_id,
        title=essay.title,
        authors=list(essay.authors),
        categories=list(essay.categories),
        keywords=list(essay.keywords),
        content=essay.content,
    )
    for name in DATE_FIELDS:
        value = getattr(essay, name)
        if name in essay.date_forms and date_text(essay.date_forms[name])[0] == value:
            document[name] = essay.date_forms[name]
        else:
            document[name] = {"$date": value} if name in essay.bson_dates else value
    document.update((k, v) for k, v in essay.extra.items() if k not in KNOWN_FIELDS)
    return document


def _object_id(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("$oid"), str):
        return value["$oid"]
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [_text(value)] if _text(value) else []
    items = []
    for item in value:
        if isinstance(item, dict):
            item = next((item[k] for k in _ITEM_KEYS if isinstance(item.get(k), str)), "")
        if _text(item):
            items.append(_text(item))
    return items


def date_text(value: Any) -> tuple[str, bool]:
    """The date as text, and whether it was a BSON date ({"$date": ISO | ms | {"$numberLong"}})."""
    if not (isinstance(value, dict) and "$date" in value):
        return _text(value), False
    inner = value["$date"]
    if isinstance(inner, dict):
        inner = inner.get("$numberLong", "")
    if isinstance(inner, str) and not inner.lstrip("-").isdigit():
        return inner, True
    try:
        moment = datetime.fromtimestamp(int(inner) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return _text(inner), True
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z"), True


def _parse_date(text: str) -> date | None:
    moment = _parse_datetime(text)
    if moment is not None:
        return moment.date()
    match = _COMPACT_DATE.search(text.replace("/", "").replace("-", "")[:12])
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _parse_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        return None


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _where(text: str, position: int) -> str:
    line, column = _line_column(text, position)
    return f"line {line}, column {column}"


def _broken_json(source: str, line: int, column: int, problem: str) -> InputError:
    return InputError(
        f"{source} is not valid JSON at line {line}, column {column} ({problem}): "
        "fix that spot or export the collection again"
    )
