"""MongoDB documents of the store to and from the core models, and paper filters as queries.

A paper is one document in the tutorial's shape (`arxiv_id` with its version, `title`, `authors`,
`categories`, `keywords`, `content`, `publish_date` 'YYYY-MM-DD', `insert_date`
'YYYY-MM-DD HH:MM:SS', an ObjectId `_id`), so the tutorial's own code reads papershelf's papers,
plus a `papershelf` subdocument holding the exact Paper (ISO strings, so every value round-trips),
its sections and the keys lists and searches use.
"""

import json
import re
from datetime import UTC, datetime
from typing import Any, get_origin

import numpy as np
from bson import json_util
from bson.binary import Binary
from bson.errors import BSONError

from papershelf.core.models import Paper, PaperFilter, Passage, Section
from papershelf.storage.shared import fold_author, folded_author_names

SCHEMA_VERSION = 2
INSERT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
# A papershelf paper, as opposed to a document the tutorial's scripts wrote and nobody indexed yet.
MANAGED: dict[str, Any] = {"papershelf.id": {"$exists": True}}
# Newest publication first, undated last, then title (ASCII case-folded as SQLite's NOCASE), id.
LIST_ORDER = [
    ("papershelf.undated", 1),
    ("papershelf.published", -1),
    ("papershelf.title_key", 1),
    ("papershelf.id", 1),
]
_VECTOR_SUBTYPE = 9  # BSON binary vector; the header says float32, no padding bits
_FLOAT32_HEADER = b"\x27\x00"
_PASSAGE_FIELDS = [name for name in Passage.model_fields if name != "vector"]
# Mapping fields of Paper (an imported record's other fields) go in as JSON text: their keys may
# start with '$' or hold '.', which MongoDB field names must not.
_JSON_FIELDS = [name for name, f in Paper.model_fields.items() if get_origin(f.annotation) is dict]
_UTC = json_util.JSONOptions(tz_aware=True, tzinfo=UTC)
_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def tutorial_fields(paper: Paper, content: str) -> dict[str, Any]:
    """The fields the tutorial's scripts write and read, in their formats."""
    arxiv_id = paper.arxiv_id or ""
    if arxiv_id and paper.version:
        arxiv_id = f"{arxiv_id}v{paper.version}"
    return {
        "arxiv_id": arxiv_id,
        "title": paper.title,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "keywords": list(paper.keywords),
        "content": content,
        "publish_date": paper.published.isoformat() if paper.published else "",
        "insert_date": paper.added.strftime(INSERT_DATE_FORMAT) if paper.added else "",
        **_bson_dates(paper),
    }


def _bson_dates(paper: Paper) -> dict[str, datetime]:
    """The dates the record held as BSON dates (kept in legacy_fields as {"$date": ...}), written
    back in that form while they still say the paper's date, so its scripts' date queries match."""
    kept = {}
    for name in ("publish_date", "insert_date"):
        form = paper.legacy_fields.get(name)
        if not (isinstance(form, dict) and "$date" in form):
            continue
        try:
            moment = json_util.loads(json.dumps(form), json_options=_UTC)
        except (ValueError, TypeError, OverflowError, BSONError):
            continue
        if not isinstance(moment, datetime):
            continue
        if name == "publish_date":
            same = paper.published is not None and moment.date() == paper.published
        else:
            added = paper.added
            if added is not None and added.tzinfo is not None:
                added = added.astimezone(UTC)
            same = added is not None and (
                moment.strftime(INSERT_DATE_FORMAT) == added.strftime(INSERT_DATE_FORMAT)
            )
        if same:
            kept[name] = moment
    return kept


def papershelf_fields(
    paper: Paper, sections: list[Section], generation: Any, passages: int, tokens: int
) -> dict[str, Any]:
    """The `papershelf` subdocument: the exact Paper, its sections, and list/search keys."""
    return {
        "id": paper.id,
        "schema": SCHEMA_VERSION,
        "paper": _paper_values(paper),
        "sections": [section.model_dump(mode="json") for section in sections],
        "collections": list(dict.fromkeys(paper.collections)),
        "authors_folded": folded_author_names(paper.authors),
        "published": paper.published.isoformat() if paper.published else None,
        "undated": paper.published is None,
        "title_key": paper.title.translate(_ASCII_FOLD),
        "generation": generation,
        "passages": passages,
        "tokens": tokens,
    }


def _paper_values(paper: Paper) -> dict[str, Any]:
    values = paper.model_dump(mode="json")
    for name in _JSON_FIELDS:
        values[name] = json.dumps(values[name], ensure_ascii=False)
    return values


def paper_from(doc: dict[str, Any]) -> Paper:
    values = dict(doc["papershelf"]["paper"])
    for name in _JSON_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = json.loads(values[name])
    return Paper.model_validate(values)


def sections_from(doc: dict[str, Any]) -> list[Section]:
    return [Section.model_validate(section) for section in doc["papershelf"]["sections"]]


def vector_binary(row: np.ndarray) -> Binary:
    """A float32 vector as a BSON binary vector (what Atlas Vector Search indexes)."""
    return Binary(_FLOAT32_HEADER + np.ascontiguousarray(row, dtype=np.float32).tobytes(), 9)


def vector_bytes(value: Binary | bytes) -> bytes:
    """The raw float32 bytes of a stored vector."""
    data = bytes(value)
    if isinstance(value, Binary) and value.subtype == _VECTOR_SUBTYPE:
        return data[len(_FLOAT32_HEADER) :]
    return data


def passage_fields(passage: Passage) -> dict[str, Any]:
    fields = {name: getattr(passage, name) for name in _PASSAGE_FIELDS}
    if passage.vector is not None:
        fields["vector"] = vector_binary(np.asarray(passage.vector, dtype=np.float32))
        fields["embedder"] = None
    return fields


def passage_from(doc: dict[str, Any], with_vector: bool = False) -> Passage:
    data = {name: doc.get(name) for name in _PASSAGE_FIELDS}
    if with_vector and doc.get("vector") is not None:
        data["vector"] = np.frombuffer(vector_bytes(doc["vector"]), dtype=np.float32).tolist()
    return Passage.model_validate(data)


# Only what a passage needs to come back as a Passage (no vector, no index terms).
PASSAGE_PROJECTION = {name: 1 for name in _PASSAGE_FIELDS}


def filter_query(filter: PaperFilter | None) -> dict[str, Any]:
    """The papers the filter admits, as a query on the paper collection."""
    query: dict[str, Any] = dict(MANAGED)
    if filter is None:
        return query
    if filter.collection is not None:
        query["papershelf.collections"] = filter.collection
    if filter.author:
        query["papershelf.authors_folded"] = {"$regex": re.escape(fold_author(filter.author))}
    published: dict[str, str] = {}
    if filter.year_from is not None:
        published["$gte"] = f"{filter.year_from:04d}-01-01"
    if filter.year_to is not None:
        published["$lte"] = f"{filter.year_to:04d}-12-31"
    if published:
        query["papershelf.published"] = published
    if filter.source is not None:
        query["papershelf.paper.source"] = filter.source
    if filter.paper_ids is not None:
        query["papershelf.id"] = {"$in": list(filter.paper_ids)}
    return query
