"""The embedder (and the reranker) a settings name asks for: the built-in default, an endpoint, a
local extra, or none."""

from pathlib import Path

from papershelf.core.errors import ConfigError
from papershelf.core.settings import Settings
from papershelf.embeddings import universal
from papershelf.embeddings.base import Embedder
from papershelf.embeddings.prompts import (
    RetrievalPrompts,
    known_prompts,
    saved_prompts,
    set_prompts,
)
from papershelf.embeddings.reranker import USAGE as RERANKER_USAGE
from papershelf.embeddings.reranker import Reranker

NONE = "none"
OPENAI_PREFIX = "openai:"
GGUF_PREFIX = "gguf:"
API_PREFIX = "api:"
DEFAULT = universal.NAME


def make_embedder(settings: Settings) -> Embedder | None:
    """The embedder named by `settings.embedder`; None when dense retrieval is switched off."""
    name = settings.embedder.strip()
    if name.lower() in (NONE, ""):
        return None
    if name == universal.NAME:
        return universal.UniversalSentenceEncoder(cache_dir=settings.home / "cache")
    if name.startswith(OPENAI_PREFIX) and name[len(OPENAI_PREFIX) :]:
        from papershelf.embeddings.openai_compat import OpenAICompatEmbedder

        model = name[len(OPENAI_PREFIX) :]
        prompts = _prompts(settings, model)
        return OpenAICompatEmbedder(
            settings.embeddings_url or settings.ollama_base_url,
            model,
            api_key=settings.embeddings_api_key,
            timeout=settings.llm_timeout_s,
            query_prefix=prompts.query,
            document_prefix=prompts.document,
        )
    if name.startswith("st:") and name[3:]:
        from papershelf.embeddings.sbert import SentenceTransformerEmbedder

        model = name[3:]
        return SentenceTransformerEmbedder(
            model, settings.home / "models", _prompts(settings, model, Path(model))
        )
    if name.startswith(GGUF_PREFIX) and name[len(GGUF_PREFIX) :]:
        return _gguf_embedder(settings, name[len(GGUF_PREFIX) :])
    raise ConfigError(
        f"unknown embedder {name!r}: use {DEFAULT!r} (built in), 'openai:<model>' (with "
        "PAPERSHELF_EMBEDDINGS_URL), 'st:<hub model>' (extra sentence-transformers), "
        "'gguf:<file or hub file>' (extra embedded) or 'none'"
    )


def _gguf_embedder(settings: Settings, model: str) -> Embedder:
    from papershelf.embeddings.gguf import GGUFEmbedder
    from papershelf.embeddings.gguf_files import check_name

    check_name(model)
    return GGUFEmbedder(model, settings.home / "models", _prompts(settings, model))


def make_word_embedder(settings: Settings, embedder: Embedder | None) -> Embedder | None:
    """The model that carries words between Chinese and English for a library searching passages
    with `embedder`: the built-in one, whose thresholds the lexicon was tuned with (with
    EmbeddingGemma for words too, hybrid recall@5 fell from 0.903 to 0.878:
    docs/retrieval-notes.md §21). None when dense search is off."""
    if embedder is None or isinstance(embedder, universal.UniversalSentenceEncoder):
        return embedder
    return universal.UniversalSentenceEncoder(cache_dir=settings.home / "cache")


def _prompts(settings: Settings, model: str, folder: Path | None = None) -> RetrievalPrompts:
    """The settings' prompts when either is set, else those a local model `folder` names, else
    the model's known ones."""
    chosen = set_prompts(settings.embeddings_query_prefix, settings.embeddings_document_prefix)
    if chosen is None and folder is not None:
        chosen = saved_prompts(folder)
    return known_prompts(model) if chosen is None else chosen


def make_reranker(settings: Settings) -> Reranker | None:
    """The reranker named by `settings.reranker`; None when there is none (the default)."""
    name = settings.reranker.strip()
    if name.lower() in (NONE, ""):
        return None
    if name.startswith(GGUF_PREFIX) and name[len(GGUF_PREFIX) :]:
        from papershelf.embeddings.gguf_files import check_name
        from papershelf.embeddings.gguf_rerank import GGUFReranker

        model = name[len(GGUF_PREFIX) :]
        check_name(model, RERANKER_USAGE)
        return GGUFReranker(model, settings.home / "models")
    if name.startswith(API_PREFIX) and name[len(API_PREFIX) :]:
        from papershelf.embeddings.rerank_api import ApiReranker

        if not settings.reranker_url.strip():
            raise ConfigError(
                f"the reranker {name!r} needs its endpoint: set PAPERSHELF_RERANKER_URL (e.g. "
                "http://localhost:8080/v1 for `llama-server -m <reranker>.gguf --reranking`)"
            )
        return ApiReranker(
            settings.reranker_url,
            name[len(API_PREFIX) :],
            api_key=settings.reranker_api_key,
            timeout=settings.llm_timeout_s,
        )
    raise ConfigError(f"unknown reranker {name!r}: {RERANKER_USAGE}")
