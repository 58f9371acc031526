"""Any sentence-transformers model (extra `sentence-transformers`, which brings PyTorch): e.g.
BAAI/bge-m3 or intfloat/multilingual-e5-base. The model is fetched from the Hugging Face hub on
first use and cached under PAPERSHELF_HOME/models."""

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from papershelf.core.errors import ConfigError
from papershelf.embeddings.base import unit_rows
from papershelf.embeddings.prompts import RetrievalPrompts

PREFIX = "st:"


class SentenceTransformerEmbedder:
    """A sentence-transformers model by hub name or local path."""

    def __init__(self, model_name: str, cache_folder: Path, prompts: RetrievalPrompts):
        """`prompts`: handed to the model before queries and passages (embeddings/factory.py
        chooses them)."""
        self.model_name = model_name
        self.model_id = f"st:{model_name}{prompts.tag()}"
        self._cache_folder = cache_folder
        self._query_prefix, self._document_prefix = prompts.query, prompts.document
        self._model: object | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> object:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise ConfigError(
                        f"the embedder {self.model_id!r} needs sentence-transformers: "
                        "pip install 'papershelf[sentence-transformers]'"
                    ) from exc
                self._model = SentenceTransformer(
                    self.model_name, cache_folder=str(self._cache_folder), device="cpu"
                )
            return self._model

    @property
    def dimensions(self) -> int:
        return int(self._loaded().get_sentence_embedding_dimension())  # type: ignore[attr-defined]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        model = self._loaded()
        # As `prompt`, not glued on: the model's pooling may leave it out, and an empty one keeps
        # a default prompt from its config from being added a second time.
        vectors = model.encode(list(texts), prompt=self._document_prefix)  # type: ignore[attr-defined]
        return unit_rows(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        model = self._loaded()
        return unit_rows(model.encode([text], prompt=self._query_prefix))[0]  # type: ignore[attr-defined]
