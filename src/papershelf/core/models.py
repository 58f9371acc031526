"""The data model shared by every layer: papers, sections, passages, hits and citations."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

SourceKind = Literal["arxiv", "pdf", "markdown", "html", "text", "import"]


class Paper(BaseModel):
    """One document in the library, described by its metadata."""

    id: str = Field(
        description="Stable id: 'arxiv:2504.05299' for arXiv papers, else 'doc:<hash12>'."
    )
    source: SourceKind
    arxiv_id: str | None = Field(default=None, description="arXiv id without version.")
    version: int | None = Field(default=None, description="arXiv version number (4 for v4).")
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    abstract: str = ""
    categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    published: date | None = None
    updated: date | None = None
    added: datetime | None = None
    language: str = "en"
    collections: list[str] = Field(default_factory=list)
    pages: int | None = None
    doi: str | None = None
    journal_ref: str | None = None
    origin: str = Field(default="", description="Where it came from: a path or URL.")
    file_sha256: str | None = None
    content_sha256: str = ""
    extractor_version: str = ""
    legacy_id: str | None = Field(
        default=None,
        description="The MongoDB ObjectId it had in the tutorial's database, if imported.",
    )
    legacy_fields: dict[str, Any] = Field(
        default_factory=dict,
        description="Fields of the imported record that an export cannot rebuild from the ones "
        "above (fields papershelf does not know, dates in another form), as the record had them.",
    )


class Section(BaseModel):
    """A heading of the document and where its text lies."""

    ordinal: int
    heading: str = Field(
        description="Heading path, e.g. '3 Smol Instruction Tuning > 3.1 Learned Tokens'."
    )
    level: int = 1
    page_start: int | None = None
    page_end: int | None = None
    char_start: int = 0
    char_end: int = 0


class Passage(BaseModel):
    """A citable piece of a paper's text (roughly 200-400 tokens)."""

    paper_id: str
    ordinal: int
    section: str = ""
    page_start: int | None = None
    page_end: int | None = None
    char_start: int = 0
    char_end: int = 0
    text: str
    tokens: int = 0
    language: str = "en"
    vector: list[float] | None = None

    @property
    def id(self) -> str:
        return f"{self.paper_id}#{self.ordinal}"


class Document(BaseModel):
    """A paper with its full text, sections and passages: what ingestion produces and a store keeps."""

    paper: Paper
    content: str
    sections: list[Section] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)


def format_pages(page_start: int | None, page_end: int | None) -> str:
    if page_start is None:
        return ""
    if page_end is None or page_end == page_start:
        return f"p.{page_start}"
    return f"pp.{page_start}-{page_end}"


def section_label(section: str) -> str:
    """The short form of a section path used in citations: its last part's number, else its title."""
    last = section.split(" > ")[-1].strip()
    number = last.split(" ", 1)[0]
    if number and number.rstrip(".").replace(".", "").isdigit():
        return "§" + number.rstrip(".")
    if (
        number
        and len(number) <= 3
        and number.rstrip(".").isalpha()
        and number.isupper()
        and " " in last
    ):
        return "§" + number.rstrip(".")
    return last


class Citation(BaseModel):
    """Where a passage comes from, in a form a reader can follow."""

    paper_id: str
    title: str = ""
    section: str = ""
    pages: str = ""
    passage_id: str

    def render(self) -> str:
        """The compact bracket form, e.g. `[arxiv:2504.05299 §2.2 p.4]`."""
        parts = [self.paper_id]
        if self.section:
            parts.append(section_label(self.section))
        if self.pages:
            parts.append(self.pages)
        return "[" + " ".join(parts) + "]"


class Hit(BaseModel):
    """A passage found by search, with its score, rank and citation."""

    passage: Passage
    score: float
    rank: int
    citation: Citation

    @classmethod
    def build(cls, passage: Passage, paper: Paper, score: float, rank: int) -> "Hit":
        # A document with no headings has its title as its only section: citing it again as the
        # section would repeat the title (or misread 'A Note on ...' as appendix A).
        section = "" if passage.section.strip() == paper.title.strip() else passage.section
        citation = Citation(
            paper_id=paper.id,
            title=paper.title,
            section=section,
            pages=format_pages(passage.page_start, passage.page_end),
            passage_id=passage.id,
        )
        return cls(passage=passage, score=score, rank=rank, citation=citation)


class PaperFilter(BaseModel):
    """Which papers a listing or a search is limited to."""

    collection: str | None = None
    author: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    source: SourceKind | None = None
    paper_ids: list[str] | None = None
