"""The Store protocol: persistence of documents and lexical candidate retrieval, nothing else."""

from typing import Protocol

from papershelf.core.models import Document, Paper, PaperFilter, Passage


class Store(Protocol):
    """Where papers, their text, sections and passages live.

    Writes are atomic per paper: `put` replaces everything stored under the paper's id
    in one transaction, so a reader sees the old paper or the new one, never a mix.
    """

    def put(self, document: Document) -> None:
        """Insert the document, or atomically replace the paper with the same id."""

    def get(self, paper_id: str) -> Paper | None:
        """The paper's metadata, or None."""

    def get_document(self, paper_id: str) -> Document | None:
        """The paper with its content, sections and passages, or None."""

    def find(
        self,
        *,
        arxiv_id: str | None = None,
        content_sha256: str | None = None,
        file_sha256: str | None = None,
        legacy_id: str | None = None,
    ) -> Paper | None:
        """The first paper matching any given key (used for de-duplication)."""

    def search_lexical(
        self, terms: list[str], limit: int = 20, filter: PaperFilter | None = None
    ) -> list[tuple[Passage, float]]:
        """Passages matching any of the index terms, best first (higher score is better)."""

    # From here on `list` names this method, so later annotations cannot use `list[...]`.
    def list(
        self, filter: PaperFilter | None = None, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        """Papers matching the filter, newest publication first, then by title."""

    def count(self, filter: PaperFilter | None = None) -> int:
        """How many papers match the filter."""

    def remove(self, paper_id: str) -> bool:
        """Delete the paper and its passages; False when it was not there."""

    def collections(self) -> dict[str, int]:
        """Collection name -> number of papers in it."""

    def close(self) -> None:
        """Release connections."""
