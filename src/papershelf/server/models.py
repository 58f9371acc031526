"""What the MCP tools return (structured output). Lean on purpose: every field name here is sent
to the model with the tool list, so meaning lives in the names and the tool descriptions."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Hit(_Out):
    paper_id: str
    title: str
    section: str
    pages: str
    text: str
    score: float
    citation: str
    more: str | None = None


class SearchResult(_Out):
    hits: list[Hit]


class PaperBrief(_Out):
    paper_id: str
    title: str
    authors: list[str]
    published: str


class PaperList(_Out):
    total: int
    papers: list[PaperBrief]
    next_cursor: str | None = None


class OutlineEntry(_Out):
    section: int
    heading: str
    pages: str
    tokens: int


class PaperDetail(_Out):
    paper_id: str
    title: str
    abstract: str
    metadata: dict[str, Any]
    outline: list[OutlineEntry]


class ReadResult(_Out):
    scope: str
    pages: str
    text: str
    done_pct: int
    next_cursor: str | None = None


class Collections(_Out):
    db_name: str
    collections: list[str]


class EssayMetadata(_Out):
    """One essay as the tutorial's MongoDB server described it."""

    id: str = Field(alias="_id", serialization_alias="_id")
    title: str
    authors: list[str]
    categories: list[str]
    keywords: list[str]
    publish_date: str


class EssayList(_Out):
    essays: list[EssayMetadata]
    next_cursor: str | None = None


class EssayContent(_Out):
    content: str
    done_pct: int
    next_cursor: str | None = None


class Added(_Out):
    paper_id: str
    title: str
    outcome: str


class Failed(_Out):
    source: str
    error: str


class AddResult(_Out):
    added: list[Added]
    failed: list[Failed]
