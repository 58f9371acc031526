"""What parsers produce and what the pipeline turns into a Document."""

from datetime import date
from typing import Protocol

from pydantic import BaseModel, Field

from papershelf.core.models import SourceKind


class PageSpan(BaseModel):
    """Where one page's text lies in the full text (1-based page number)."""

    number: int
    char_start: int
    char_end: int


class Heading(BaseModel):
    """A heading found in the text: '3.1' / 'Learned Tokens', level 2, at this offset."""

    title: str
    number: str | None = None
    level: int = 1
    char_start: int = 0


class ParsedDocument(BaseModel):
    """The text of one document with its layout facts and the metadata found inside it."""

    kind: SourceKind
    text: str
    pages: list[PageSpan] = Field(default_factory=list)
    headings: list[Heading] = Field(default_factory=list)
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    abstract: str = ""
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    published: date | None = None
    keywords: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    language: str = ""
    warnings: list[str] = Field(default_factory=list)


class Parser(Protocol):
    """Turns the bytes of one document kind into a ParsedDocument."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        """Parse `data` (from file or URL `name`); raise UnsupportedDocument/InputError when it cannot."""
