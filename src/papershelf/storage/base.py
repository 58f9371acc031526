"""The Store protocol: persistence of documents, their passage vectors, and lexical candidate
retrieval, nothing else."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from papershelf.core.models import Document, Paper, PaperFilter, Passage


@dataclass(frozen=True)
class PendingPassage:
    """A passage without a vector for some embedder: what the embedder needs to make one."""

    key: int  # the store's own passage key, never reused for another passage
    paper_id: str
    title: str
    section: str
    text: str


@dataclass(frozen=True)
class VectorSet:
    """Every stored vector of one embedder, row i belonging to passage keys[i]."""

    version: str  # changes whenever any passage or vector of the store changes
    keys: np.ndarray  # int64, shape (n,)
    paper_ids: np.ndarray  # object (str), shape (n,)
    matrix: np.ndarray  # float32, shape (n, dimensions)
    # Built from a set read earlier (`Store.vectors(since=...)`): its first `carried` rows are
    # that set's rows, unchanged. 0 when read whole, or when new rows fall between earlier ones.
    carried: int = 0
    # What the store read the set under, for a later read `since` it; opaque to everyone else.
    read_marks: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class TermVectors:
    """The lexicon's embedded terms, most frequent first, row i belonging to terms[i]."""

    version: str
    terms: list[str]
    matrix: np.ndarray  # float32, shape (len(terms), dimensions)


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

    def indexed_tokens(self, tokens: Sequence[str]) -> set[str]:
        """Those of these lexical index tokens that a stored passage holds: CJK bigrams and
        characters as `core.textindex.index_text` makes them, English words as the index stems
        them (Porter: 'shuffle' -> 'shuffl')."""

    def passages_missing_vectors(
        self, embedder_id: str, limit: int = 256, paper_ids: Sequence[str] | None = None
    ) -> list[PendingPassage]:
        """Passages with no vector from `embedder_id` (none, or another embedder's), in key order;
        only those of `paper_ids` when given."""

    def count_missing_vectors(
        self, embedder_id: str, paper_ids: Sequence[str] | None = None
    ) -> int:
        """How many passages `passages_missing_vectors` would eventually return."""

    def set_vectors(self, embedder_id: str, keys: Sequence[int], matrix: np.ndarray) -> int:
        """Store row i of `matrix` as the vector of passage keys[i], in one transaction; passages
        deleted meanwhile are skipped. The number stored."""

    def vectors(
        self,
        embedder_id: str,
        unless_version: str | None = None,
        since: VectorSet | None = None,
    ) -> VectorSet | None:
        """All vectors of `embedder_id`; None when the store's version is still `unless_version`
        (so a caller can keep its copy without reading them again). `since`, a set this store
        returned earlier, lets a store read only what was written after it (SQLite by the stamps
        on rows, MongoDB by the marks on papers); the answer is the same."""

    def get_passages(self, keys: Sequence[int]) -> dict[int, Passage]:
        """The passages with these keys that exist, by key."""

    def terms_missing_vectors(
        self, embedder_id: str, min_df: int = 2, limit: int = 512
    ) -> list[str]:
        """Lexicon terms (English words of the passages, `lexicon_terms`, counted by the store as
        papers come and go) held by at least `min_df` passages, with no vector from `embedder_id`."""

    def set_term_vectors(self, embedder_id: str, terms: Sequence[str], matrix: np.ndarray) -> int:
        """Store row i of `matrix` as the vector of terms[i]; the number stored."""

    def term_vectors(
        self,
        embedder_id: str,
        min_df: int = 2,
        limit: int = 50_000,
        unless_version: str | None = None,
        since: TermVectors | None = None,
    ) -> TermVectors | None:
        """The `limit` most frequent embedded terms; None when the version is `unless_version`.
        `since`, a lexicon this store returned earlier for the same min_df and limit, lets a store
        read only what changed after it (SQLite does); the answer is the same."""

    # From here on `list` names this method, so later annotations cannot use `list[...]`.
    def list(
        self, filter: PaperFilter | None = None, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        """Papers matching the filter, newest publication first, then by title."""

    def count(self, filter: PaperFilter | None = None) -> int:
        """How many papers match the filter."""

    def titles(self, paper_ids: Sequence[str]) -> dict[str, str]:
        """Paper id -> title for those of the papers that are stored (search reads them for
        every candidate, so this reads nothing else)."""

    def remove(self, paper_id: str) -> bool:
        """Delete the paper and its passages; False when it was not there."""

    def collections(self) -> dict[str, int]:
        """Collection name -> number of papers in it."""

    def reindex(self) -> None:
        """Rebuild the lexical index and its counts from the stored passages (after an analyser
        change, or to repair a damaged index or counters a crash left behind)."""

    def close(self) -> None:
        """Release connections."""
