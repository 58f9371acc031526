"""Shared by the search tests: real stores, the real default embedder, and a small embedder
made here for counting what gets embedded."""

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from papershelf.embeddings.base import unit_rows
from papershelf.embeddings.universal import UniversalSentenceEncoder
from papershelf.search.indexing import embed_missing
from papershelf.storage.sqlite import SqliteStore
from tests.search.papers import documents


class WordHashEmbedder:
    """Bag of hashed words: texts sharing words are near. Deterministic and instant."""

    dimensions = 64

    def __init__(self, model_id: str = "word-hash-1"):
        self.model_id = model_id

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                matrix[row, hashlib.md5(word.encode()).digest()[0] % self.dimensions] += 1.0
        return unit_rows(matrix)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class Recording:
    """Wraps an embedder and keeps every text it was asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.model_id = inner.model_id
        self.dimensions = inner.dimensions
        self.documents: list[str] = []
        self.queries: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.documents.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return self.inner.embed_query(text)


@pytest.fixture(scope="session")
def use_model() -> UniversalSentenceEncoder:
    return UniversalSentenceEncoder()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "search.db")
    yield opened
    opened.close()


@pytest.fixture
def indexed(store: SqliteStore, use_model) -> SqliteStore:
    """The store holding tests/search/papers.py's documents, embedded by the built-in model."""
    for document in documents():
        store.put(document)
    embed_missing(store, use_model)
    return store
