"""A GGUF reranker (cross-encoder) run in this process by llama.cpp: bge-reranker-v2-m3,
jina-reranker, Qwen3-Reranker and the like, converted by llama.cpp's converters, which keep their
classification head. The model file is found or downloaded as for the `gguf:` embedder
(gguf_files.py)."""

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from papershelf.core.errors import ConfigError, SourceUnavailable
from papershelf.embeddings.gguf_files import model_file
from papershelf.embeddings.gguf_header import tensor_names
from papershelf.embeddings.llama_server import (
    cut_to_fit,
    import_xllamacpp,
    model_identity,
    start_server,
    too_long,
)
from papershelf.embeddings.reranker import USAGE, checked_scores

PREFIX = "gguf:"


class GGUFReranker:
    """One GGUF reranking model, loaded on first use."""

    def __init__(self, name: str, models_dir: Path, *, threads: int | None = None):
        """`name`: a .gguf path or a hub file `<owner>/<repo>/<file>.gguf`."""
        self.name = name
        self._models_dir = models_dir
        self._threads = threads or max(1, min(os.cpu_count() or 1, 8))
        self._server: Any = None
        self._lock = threading.Lock()
        self.model_id = f"{PREFIX}{model_identity(name)}"

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        server = self._loaded()
        reply = server.handle_rerank(self._request(query, list(texts)))
        if "error" not in reply:
            return self._scores(reply, len(texts))
        # One passage too long for the slot fails the whole request: score them one by one,
        # the question first cut to half the room when it alone is too long.
        query = self._fitting_question(server, query)
        return [self._score_alone(server, query, text) for text in texts]

    def _fitting_question(self, server: Any, query: str) -> str:
        for _ in range(6):
            reply = server.handle_rerank(self._request(query, ["."]))
            sizes = too_long(str(reply.get("error", {}).get("message", "")))
            if sizes is None:
                break
            tokens, limit = sizes
            query = cut_to_fit(query, tokens, limit // 2)
        return query

    def _score_alone(self, server: Any, query: str, text: str) -> float:
        """One passage, its start cut until the question and it fit the slot and the model."""
        message = ""
        for _ in range(6):
            reply = server.handle_rerank(self._request(query, [text]))
            if "error" not in reply:
                return self._scores(reply, 1)[0]
            message = str(reply["error"].get("message", ""))
            sizes = too_long(message)
            if sizes is None:
                break
            text = cut_to_fit(text, *sizes)
        raise SourceUnavailable(f"llama.cpp could not rerank a passage with {self.name}: {message}")

    def _request(self, query: str, texts: list[str]) -> dict[str, Any]:
        return {"query": query, "documents": texts, "model": self.name}

    def _scores(self, reply: dict[str, Any], expected: int) -> list[float]:
        return checked_scores(reply.get("results"), expected, f"llama.cpp with {self.name}")

    def _loaded(self) -> Any:
        with self._lock:
            if self._server is None:
                self._server = self._start()
            return self._server

    def _start(self) -> Any:
        xllamacpp = import_xllamacpp()
        path = model_file(self.name, self._models_dir, USAGE)
        if not any(name.split(".")[0] == "cls" for name in tensor_names(path)):
            # llama.cpp would score with whatever the first number of a token vector is.
            raise ConfigError(
                f"{path.name} has no classification head (no cls tensors): it is not a "
                f"reranking model; {USAGE}"
            )
        server = start_server(
            xllamacpp,
            path,
            pooling=xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_RANK,
            threads=self._threads,
            downloaded=path.is_relative_to(self._models_dir / "gguf"),
        )
        probe = server.handle_rerank(self._request("probe", ["probe"]))
        if "error" in probe:
            message = probe["error"].get("message", probe["error"])
            raise ConfigError(f"llama.cpp could not rerank with {path}: {message}")
        return server
