"""Embedders are chosen by name in settings."""

import pytest

from papershelf.core.errors import ConfigError
from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_embedder
from papershelf.embeddings.openai_compat import OpenAICompatEmbedder
from papershelf.embeddings.sbert import SentenceTransformerEmbedder
from papershelf.embeddings.universal import UniversalSentenceEncoder


def test_the_default_is_the_built_in_multilingual_model() -> None:
    assert isinstance(make_embedder(Settings()), UniversalSentenceEncoder)


def test_none_switches_dense_search_off() -> None:
    assert make_embedder(Settings(embedder="none")) is None


def test_an_openai_name_uses_the_embeddings_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_EMBEDDER", "openai:bge-m3")
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_URL", "http://gpu-box:8000/v1")
    embedder = make_embedder(Settings())
    assert isinstance(embedder, OpenAICompatEmbedder)
    assert (embedder.base_url, embedder.model, embedder.model_id) == (
        "http://gpu-box:8000/v1",
        "bge-m3",
        "openai:bge-m3",
    )


def test_an_openai_name_falls_back_to_the_llm_endpoint() -> None:
    embedder = make_embedder(Settings(embedder="openai:nomic-embed-text"))
    assert isinstance(embedder, OpenAICompatEmbedder)
    assert embedder.base_url == "http://localhost:11434/v1"


def test_a_sentence_transformers_model_without_the_extra_says_what_to_install() -> None:
    embedder = make_embedder(Settings(embedder="st:BAAI/bge-m3"))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"papershelf\[sentence-transformers\]"):
            embedder.embed_query("x")


def test_an_unknown_name_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"use-multilingual.*openai:<model>.*none"):
        make_embedder(Settings(embedder="word2vec"))
