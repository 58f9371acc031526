"""Between the tutorial's MongoDB export and papershelf Documents, in both directions."""

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from papershelf.core.errors import InputError
from papershelf.core.ids import document_paper_id, sha256_text
from papershelf.core.models import Document, Paper
from papershelf.core.tokens import detect_language
from papershelf.ingest.arxiv_ids import parse_arxiv_reference
from papershelf.ingest.base import ParsedDocument
from papershelf.ingest.headings import find_headings
from papershelf.ingest.pipeline import build_document
from papershelf.ingest.tutorial_json import (
    DATE_FIELDS,
    TutorialEssay,
    date_text,
    read_tutorial_export,
    write_tutorial_export,
)

INSERT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_EXPORTED_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
_HASH12 = re.compile(r"[0-9a-f]{12}")

StoredPaper = Callable[[str], Paper | None]


def documents_from_tutorial_export(
    data: bytes, origin: str, collection: str, stored: StoredPaper = lambda legacy_id: None
) -> Iterator[tuple[str, Document]]:
    """(label, Document) for each essay; the content is kept verbatim so an export round-trips.
    `stored(legacy_id)` is the paper the library already keeps under that ObjectId, if any: a
    non-arXiv essay becomes that paper again."""
    labelled = [
        (_label(essay, origin), essay) for essay in read_tutorial_export(data, source=origin)
    ]
    for label, essay in labelled:  # all checked before any is stored
        _check_storable(essay, label)
    for label, essay in labelled:
        document = _document_from_essay(essay, origin, collection)
        known = stored(essay.legacy_id) if essay.legacy_id and not document.paper.arxiv_id else None
        if known is not None and not known.arxiv_id:
            _rekey(document, known.id)
        yield label, document


def _label(essay: TutorialEssay, origin: str) -> str:
    return _printable(f"{origin}#{essay.legacy_id or essay.arxiv_id or essay.title[:40]}")


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_storable(essay: TutorialEssay, label: str) -> None:
    """InputError for text no store can keep: a lone surrogate from a broken \\u escape."""
    fields = {**essay.model_dump(exclude={"bson_dates", "date_forms", "extra"}), **essay.extra}
    for name, value in fields.items():
        try:
            json.dumps({name: value}, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            field = "_id" if name == "legacy_id" else _printable(name)
            raise InputError(
                f"{label}: '{field}' has a broken \\u escape (a lone surrogate such as "
                "\\ud800); fix or remove it in the export and import again"
            ) from None


def _document_from_essay(essay: TutorialEssay, origin: str, collection: str) -> Document:
    ref = parse_arxiv_reference(essay.arxiv_id) if essay.arxiv_id else None
    parsed = ParsedDocument(
        kind="import",
        text=essay.content,
        headings=find_headings(essay.content),
        title=essay.title,
        authors=list(essay.authors),
        arxiv_id=ref.id if ref else None,
        arxiv_version=ref.version if ref else None,
        published=_parse_date(essay.publish_date),
        keywords=list(essay.keywords),
        categories=list(essay.categories),
        language=detect_language(essay.content),
    )
    document = build_document(
        parsed,
        source="import",
        origin=f"{origin}#{essay.legacy_id}" if essay.legacy_id else origin,
        collection=collection,
        added=_parse_datetime(essay.insert_date),
        legacy_id=essay.legacy_id,
        keep_categories=True,
    )
    document.paper.legacy_fields = _legacy_fields(essay, document.paper)
    if essay.legacy_id is not None and not document.paper.arxiv_id:
        # each record is its own paper, even when another one has the same text
        _rekey(document, _paper_id_for_object_id(essay.legacy_id))
    return document


def _paper_id_for_object_id(object_id: str) -> str:
    """The paper an export wrote under this ObjectId, else an id of its own derived from it."""
    return _exported_paper_id(object_id) or document_paper_id(sha256_text(object_id))


def _rekey(document: Document, paper_id: str) -> None:
    document.paper.id = paper_id
    for passage in document.passages:
        passage.paper_id = paper_id


def _legacy_fields(essay: TutorialEssay, paper: Paper) -> dict[str, Any]:
    """What an export could not rebuild from the paper: unknown fields, dates in other forms."""
    kept = dict(essay.extra)
    rebuilt = _date_fields(paper)
    for name in DATE_FIELDS:
        written = essay.date_forms.get(name, getattr(essay, name))
        if written not in ("", rebuilt[name]):
            kept[name] = written
    return kept


def _date_fields(paper: Paper) -> dict[str, str]:
    return {
        "publish_date": paper.published.isoformat() if paper.published else "",
        "insert_date": paper.added.strftime(INSERT_DATE_FORMAT) if paper.added else "",
    }


def tutorial_export_bytes(documents: list[Document]) -> bytes:
    """The documents in the tutorial's export format (JSON array, `$oid`, its field order)."""
    return write_tutorial_export([_essay_from_document(d) for d in documents])


def _essay_from_document(document: Document) -> TutorialEssay:
    paper = document.paper
    arxiv_id = paper.arxiv_id or ""
    if arxiv_id and paper.version:
        arxiv_id = f"{arxiv_id}v{paper.version}"
    dates = _date_fields(paper)
    written = {
        name: form
        for name, form in paper.legacy_fields.items()
        if name in DATE_FIELDS and _still_dated(name, form, paper)
    }
    dates.update((name, date_text(form)[0]) for name, form in written.items())
    return TutorialEssay(
        legacy_id=paper.legacy_id or _object_id_for(paper.id, paper.added),
        arxiv_id=arxiv_id,
        title=paper.title,
        authors=list(paper.authors),
        categories=list(paper.categories),
        keywords=list(paper.keywords),
        content=document.content,
        publish_date=dates["publish_date"],
        insert_date=dates["insert_date"],
        bson_dates=[name for name, form in written.items() if date_text(form)[1]],
        date_forms={name: form for name, form in written.items() if not isinstance(form, str)},
        extra={k: v for k, v in paper.legacy_fields.items() if k not in DATE_FIELDS},
    )


def _still_dated(name: str, form: Any, paper: Paper) -> bool:
    """Whether a date as the record wrote it still says the paper's date (or said none)."""
    text = date_text(form)[0]
    if name == "publish_date":
        return _parse_date(text) in (None, paper.published)
    return _parse_datetime(text) in (None, paper.added)


def _object_id_for(paper_id: str, added: datetime | None) -> str:
    """A stable 24-hex ObjectId for a paper that never had one: its creation time, then for a
    'doc:<hash12>' id that hash and a check an import knows it by, else a hash of the id."""
    seconds = min(max(int(added.timestamp()), 0), 0xFFFFFFFF) if added else 0
    hashed = paper_id.removeprefix("doc:")
    if paper_id.startswith("doc:") and _HASH12.fullmatch(hashed):
        return f"{seconds:08x}{hashed}{sha256_text(paper_id)[:4]}"
    return f"{seconds:08x}{sha256_text(paper_id)[:16]}"


def _exported_paper_id(object_id: str) -> str | None:
    """The 'doc:' paper id `_object_id_for` wrote into this ObjectId, if it is one of those."""
    if not _EXPORTED_OBJECT_ID.fullmatch(object_id):
        return None
    paper_id = f"doc:{object_id[8:20]}"
    return paper_id if sha256_text(paper_id)[:4] == object_id[20:] else None


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    for candidate in (value, value.replace("Z", "+00:00")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    try:
        return datetime.strptime(value, INSERT_DATE_FORMAT)
    except ValueError:
        return None
