"""A GGUF embedding model run in this process by llama.cpp (the `xllamacpp` wheel of the
`embedded` extra): EmbeddingGemma, Qwen3-Embedding, bge-m3, nomic-embed-text and the like, with
no PyTorch and no server. EmbeddingGemma-300M at q8_0 embeds ~1.6 passages/s on 2 cores, ~1.6x
sentence-transformers' speed, its vectors at cosine ~0.9996 to PyTorch's, hybrid recall@5 0.899
against 0.903 (docs/retrieval-notes.md §21, §22).

The model's own pooling is used. A model that names none (a chat model) is pooled by the mean of
its token vectors, with a warning: it runs, but it was not trained to embed.
"""

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from papershelf.core.errors import ConfigError, InputError
from papershelf.embeddings.base import unit_rows
from papershelf.embeddings.gguf_files import model_file
from papershelf.embeddings.llama_server import (
    cut_to_fit,
    import_xllamacpp,
    model_identity,
    start_server,
    too_long,
)
from papershelf.embeddings.prompts import RetrievalPrompts

log = logging.getLogger(__name__)

PREFIX = "gguf:"
BATCH = 16


class GGUFEmbedder:
    """One GGUF model, loaded on first use."""

    def __init__(
        self,
        name: str,
        models_dir: Path,
        prompts: RetrievalPrompts,
        *,
        threads: int | None = None,
    ):
        """`name`: a .gguf path or a hub file `<owner>/<repo>/<file>.gguf`; `prompts`: put before
        queries and passages (embeddings/factory.py chooses them)."""
        self.name = name
        self._models_dir = models_dir
        self._prompts = prompts
        self._threads = threads or max(1, min(os.cpu_count() or 1, 8))
        self._server: Any = None
        self._dimensions = 0
        self._lock = threading.Lock()
        self.model_id = f"{PREFIX}{model_identity(name)}{prompts.tag()}"

    @property
    def dimensions(self) -> int:
        self._loaded()
        return self._dimensions

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        prefixed = [self._prompts.document + text for text in texts]
        rows: list[list[float]] = []
        for start in range(0, len(prefixed), BATCH):
            rows += self._embed(prefixed[start : start + BATCH])
        return unit_rows(np.array(rows, dtype=np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return unit_rows(np.array(self._embed([self._prompts.query + text]), dtype=np.float32))[0]

    def _embed(self, texts: list[str]) -> list[list[float]]:
        server = self._loaded()
        # llama.cpp refuses an empty text for models without a start token; a space embeds alike.
        texts = [text if text.strip() else " " for text in texts]
        reply = server.handle_embeddings({"input": texts, "model": self.name})
        if "error" in reply and len(texts) > 1:
            return [row for text in texts for row in self._embed([text])]
        if "error" in reply:
            return [self._embed_cut(texts[0], str(reply["error"].get("message", "")))]
        return [item["embedding"] for item in sorted(reply["data"], key=lambda d: d["index"])]

    def _embed_cut(self, text: str, message: str) -> list[float]:
        """One text too long for the slot or the model, its start cut to fit (by its share of
        characters per token; the prompt stays in front)."""
        server = self._loaded()
        for _ in range(6):
            sizes = too_long(message)
            if sizes is None:
                break
            text = cut_to_fit(text, *sizes)
            reply = server.handle_embeddings({"input": [text], "model": self.name})
            if "error" not in reply:
                return list(reply["data"][0]["embedding"])
            message = str(reply["error"].get("message", ""))
        raise InputError(f"llama.cpp could not embed a text with {self.name}: {message}")

    def _loaded(self) -> Any:
        with self._lock:
            if self._server is None:
                self._server, self._dimensions = self._start()
            return self._server

    def _start(self) -> tuple[Any, int]:
        xllamacpp = import_xllamacpp()
        path = model_file(self.name, self._models_dir)
        server = self._server_for(xllamacpp, path, pooling=None)
        probe = server.handle_embeddings({"input": ["probe"], "model": self.name})
        if "pooling" in str(probe.get("error", {}).get("message", "")).lower():
            log.warning(
                "%s names no pooling (it is not an embedding model): its token vectors are "
                "averaged, which embeds poorly",
                path.name,
            )
            mean = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
            server = self._server_for(xllamacpp, path, pooling=mean)
            probe = server.handle_embeddings({"input": ["probe"], "model": self.name})
        if "error" in probe:
            raise ConfigError(f"llama.cpp could not embed with {path}: {probe['error']}")
        return server, len(probe["data"][0]["embedding"])

    def _server_for(self, xllamacpp: Any, path: Path, *, pooling: Any) -> Any:
        downloaded = path.is_relative_to(self._models_dir / "gguf")
        return start_server(
            xllamacpp, path, pooling=pooling, threads=self._threads, downloaded=downloaded
        )
