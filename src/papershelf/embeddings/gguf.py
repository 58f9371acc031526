"""A GGUF embedding model run in this process by llama.cpp (the `xllamacpp` wheel of the
`embedded` extra): EmbeddingGemma, Qwen3-Embedding, bge-m3, nomic-embed-text and the like, with
no PyTorch and no server. EmbeddingGemma-300M at q8_0 embeds ~1.6 passages/s on 2 cores, ~1.6x
sentence-transformers' speed, its vectors at cosine ~0.9996 to PyTorch's, hybrid recall@5 0.899
against 0.903 (docs/retrieval-notes.md §21, §22).

The model's own pooling is used. A model that names none (a chat model) is pooled by the mean of
its token vectors, with a warning: it runs, but it was not trained to embed.
"""

import hashlib
import logging
import os
import re
import secrets
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from papershelf.core.errors import ConfigError, InputError
from papershelf.embeddings.base import unit_rows
from papershelf.embeddings.gguf_files import model_file
from papershelf.embeddings.prompts import RetrievalPrompts

log = logging.getLogger(__name__)

PREFIX = "gguf:"
SLOT_TOKENS = 2048
"""Tokens one text may take (llama.cpp embeds each text in one batch); longer ones are cut."""
BATCH = 16
INSTALL_XLLAMACPP = (
    "the gguf: embedder needs llama.cpp: pip install 'papershelf[embedded]' (the xllamacpp "
    "wheel, about 34 MB, CPU build)"
)
# llama.cpp's two refusals of a long text: more tokens than a batch holds, or than the model's
# context (a 512-token BERT-family model): (the text's tokens, the limit).
_TOO_LONG = (
    re.compile(r"input \((\d+) tokens\) is too large.*?batch size: (\d+)"),
    re.compile(r"input \((\d+) tokens\) is larger than the max context size \((\d+) tokens\)"),
)
HEAD_BYTES = 1 << 20


def _identity(name: str) -> str:
    """A hub file by its reference (it is downloaded once and never replaced); a file on disk by
    its name, size and a digest of its first MiB (the metadata: pooling, tokenizer), not its
    folder: a model moved elsewhere keeps its vectors, another one saved under the same name does
    not. The two forms of one model are two ids, so switching between them embeds again."""
    path = Path(name).expanduser()
    if not path.is_file():
        return name
    with path.open("rb") as model:
        head = hashlib.blake2b(model.read(HEAD_BYTES), digest_size=6).hexdigest()
    return f"{path.name}@{path.stat().st_size}.{head}"


def _too_long(message: str) -> tuple[int, int] | None:
    for pattern in _TOO_LONG:
        if found := pattern.search(message):
            return int(found.group(1)), int(found.group(2))
    return None


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
        self.model_id = f"{PREFIX}{_identity(name)}{prompts.tag()}"

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
            sizes = _too_long(message)
            if sizes is None:
                break
            tokens, limit = sizes
            text = text[: max(1, int(len(text) * limit / tokens * 0.9))]
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
        try:
            import xllamacpp
        except ImportError as exc:
            raise ConfigError(INSTALL_XLLAMACPP) from exc
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
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.embedding = True
        if pooling is not None:
            params.pooling_type = pooling
        # One slot: each text is embedded alone, so its vector does not depend on the texts sent
        # with it (with four slots a chat model's mean-pooled vectors did, cosine 0.88 apart, and
        # EmbeddingGemma's moved in the fourth decimal), and it was 6% faster on 2 cores.
        params.n_parallel = 1
        params.n_ctx = SLOT_TOKENS
        params.n_batch = params.n_ubatch = SLOT_TOKENS
        params.cpuparams.n_threads = self._threads
        params.cpuparams_batch.n_threads = self._threads
        params.verbosity = -1  # llama.cpp logs to stderr otherwise
        # llama.cpp also listens on a loopback port; an unguessable key keeps others off it.
        params.api_keys = [secrets.token_urlsafe(24)]
        try:
            return xllamacpp.Server(params)
        except (RuntimeError, ValueError) as exc:
            hint = (
                " (a downloaded file: delete it to fetch it again)"
                if self._downloaded(path)
                else ""
            )
            raise ConfigError(f"llama.cpp could not load {path}: {exc}{hint}") from exc

    def _downloaded(self, path: Path) -> bool:
        return path.is_relative_to(self._models_dir / "gguf")
