"""llama.cpp run in this process (the `xllamacpp` wheel of the `embedded` extra) for a GGUF model
that embeds texts (gguf.py) or scores passages against a question (gguf_rerank.py): loading it,
naming it, and reading its refusals of a text too long."""

import hashlib
import re
import secrets
from pathlib import Path
from types import ModuleType
from typing import Any

from papershelf.core.errors import ConfigError

SLOT_TOKENS = 2048
"""Tokens one text (or one question and passage) may take; longer ones are cut."""
INSTALL_XLLAMACPP = (
    "gguf: models need llama.cpp: pip install 'papershelf[embedded]' (the xllamacpp wheel, "
    "about 34 MB, CPU build)"
)
HEAD_BYTES = 1 << 20
# llama.cpp's two refusals of a long text: more tokens than a batch holds, or than the model's
# context (a 512-token BERT-family model): (the text's tokens, the limit).
_TOO_LONG = (
    re.compile(r"input \((\d+) tokens\) is too large.*?batch size: (\d+)"),
    re.compile(r"input \((\d+) tokens\) is larger than the max context size \((\d+) tokens\)"),
)


def too_long(message: str) -> tuple[int, int] | None:
    """(the text's tokens, the limit) when llama.cpp's error `message` refuses a long text."""
    for pattern in _TOO_LONG:
        if found := pattern.search(message):
            return int(found.group(1)), int(found.group(2))
    return None


def cut_to_fit(text: str, tokens: int, limit: int) -> str:
    """The start of `text`, by its share of characters per token, a tenth under `limit`."""
    return text[: max(1, int(len(text) * limit / tokens * 0.9))]


def model_identity(name: str) -> str:
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


def import_xllamacpp() -> ModuleType:
    try:
        import xllamacpp
    except ImportError as exc:
        raise ConfigError(INSTALL_XLLAMACPP) from exc
    return xllamacpp


def start_server(
    xllamacpp: ModuleType, path: Path, *, pooling: Any, threads: int, downloaded: bool
) -> Any:
    """llama.cpp serving the model at `path` for embeddings (and, with RANK pooling, reranking).
    `pooling`: None for the model's own. `downloaded`: the file came from the hub (the error says
    how to fetch it again)."""
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
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = -1  # llama.cpp logs to stderr otherwise
    # llama.cpp also listens on a loopback port; an unguessable key keeps others off it.
    params.api_keys = [secrets.token_urlsafe(24)]
    try:
        return xllamacpp.Server(params)
    except (RuntimeError, ValueError) as exc:
        hint = " (a downloaded file: delete it to fetch it again)" if downloaded else ""
        raise ConfigError(f"llama.cpp could not load {path}: {exc}{hint}") from exc
