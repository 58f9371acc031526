"""The Embedder protocol: text in, one unit-length float32 vector per text out."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """A sentence-embedding model.

    `model_id` names the vectors: stored vectors made under another id are stale and get rebuilt,
    so it must change whenever the same text would embed differently (model, version, recipe).
    Rows are L2-normalised, so a dot product is the cosine similarity.
    """

    model_id: str

    @property
    def dimensions(self) -> int:
        """Length of every vector."""

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dimensions) float32 matrix, one row per passage text."""

    def embed_query(self, text: str) -> np.ndarray:
        """A (dimensions,) float32 vector for a search query (some models embed queries apart)."""


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """The rows scaled to length 1 as float32 (an all-zero row stays zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        return unit_rows(matrix[None, :])[0]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
