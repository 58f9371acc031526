"""Rows of the SQLite store to and from the core models, and paper filters as SQL."""

import json
import sqlite3
from array import array
from typing import Any

from papershelf.core.models import Paper, PaperFilter, Passage, Section
from papershelf.storage.shared import fold_author, folded_author_names

# Columns carry the models' field names, so a new model field without a migration fails loudly.
_PAPER_FIELDS = list(Paper.model_fields)
_JSON_FIELDS = frozenset({"authors", "categories", "keywords", "collections", "legacy_fields"})
_DATE_FIELDS = frozenset({"published", "updated", "added"})

PAPER_COLUMNS = ", ".join(f"pa.{name}" for name in _PAPER_FIELDS)
INSERT_PAPER = (
    f"INSERT INTO papers ({', '.join(_PAPER_FIELDS)}, authors_folded) "
    f"VALUES ({', '.join('?' for _ in _PAPER_FIELDS)}, ?)"
)

_SECTION_FIELDS = list(Section.model_fields)
SECTION_COLUMNS = ", ".join(_SECTION_FIELDS)
INSERT_SECTION = (
    f"INSERT INTO sections (paper_id, {SECTION_COLUMNS}) "
    f"VALUES (?, {', '.join('?' for _ in _SECTION_FIELDS)})"
)

_PASSAGE_FIELDS = [name for name in Passage.model_fields if name != "vector"]
PASSAGE_COLUMNS = ", ".join(f"ps.{name}" for name in _PASSAGE_FIELDS)
INSERT_PASSAGE = (
    f"INSERT INTO passages (id, {', '.join(_PASSAGE_FIELDS)}, vector) "
    f"VALUES (?, {', '.join('?' for _ in _PASSAGE_FIELDS)}, ?)"
)


def paper_values(paper: Paper) -> tuple[Any, ...]:
    values: list[Any] = []
    for name in _PAPER_FIELDS:
        value = getattr(paper, name)
        if name in _JSON_FIELDS:
            value = json.dumps(value, ensure_ascii=False)
        elif name in _DATE_FIELDS and value is not None:
            value = value.isoformat()
        values.append(value)
    values.append(folded_author_names(paper.authors))
    return tuple(values)


def paper_from_row(row: sqlite3.Row) -> Paper:
    data = {name: row[name] for name in _PAPER_FIELDS}
    for name in _JSON_FIELDS:
        data[name] = json.loads(data[name])
    return Paper.model_validate(data)


def section_values(paper_id: str, section: Section) -> tuple[Any, ...]:
    return (paper_id, *(getattr(section, name) for name in _SECTION_FIELDS))


def section_from_row(row: sqlite3.Row) -> Section:
    return Section.model_validate({name: row[name] for name in _SECTION_FIELDS})


def passage_values(rowid: int, passage: Passage) -> tuple[Any, ...]:
    vector = None if passage.vector is None else array("f", passage.vector).tobytes()
    return (rowid, *(getattr(passage, name) for name in _PASSAGE_FIELDS), vector)


def passage_from_row(row: sqlite3.Row, with_vector: bool = False) -> Passage:
    data = {name: row[name] for name in _PASSAGE_FIELDS}
    if with_vector and row["vector"] is not None:
        data["vector"] = array("f", row["vector"]).tolist()
    return Passage.model_validate(data)


def filter_sql(filter: PaperFilter | None) -> tuple[str, list[Any]]:
    """A WHERE condition on papers aliased `pa` (always valid SQL) and its parameters."""
    if filter is None:
        return "1", []
    conditions: list[str] = []
    params: list[Any] = []
    if filter.collection is not None:
        conditions.append("pa.id IN (SELECT paper_id FROM paper_collections WHERE collection = ?)")
        params.append(filter.collection)
    if filter.author:
        conditions.append("instr(pa.authors_folded, ?) > 0")
        params.append(fold_author(filter.author))
    if filter.year_from is not None:
        conditions.append("pa.published >= ?")
        params.append(f"{filter.year_from:04d}-01-01")
    if filter.year_to is not None:
        conditions.append("pa.published <= ?")
        params.append(f"{filter.year_to:04d}-12-31")
    if filter.source is not None:
        conditions.append("pa.source = ?")
        params.append(filter.source)
    if filter.paper_ids is not None:
        conditions.append("pa.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(filter.paper_ids))
    return " AND ".join(conditions) or "1", params
