"""Retrieval prompts: the model card's by name, or the settings', reaching both providers."""

import pytest

from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_embedder
from papershelf.embeddings.openai_compat import OpenAICompatEmbedder
from papershelf.embeddings.prompts import RetrievalPrompts, chosen_prompts, known_prompts
from papershelf.embeddings.sbert import SentenceTransformerEmbedder
from tests.embeddings.embedding_server import EmbeddingServer


@pytest.mark.parametrize(
    ("model", "query", "document"),
    [
        ("embeddinggemma", "task: search result | query: ", "title: none | text: "),
        ("google/embeddinggemma-300m", "task: search result | query: ", "title: none | text: "),
        ("nomic-embed-text:v1.5", "search_query: ", "search_document: "),
        ("intfloat/multilingual-e5-base", "query: ", "passage: "),
        ("e5-large-v2", "query: ", "passage: "),
        ("jeffh/intfloat-multilingual-e5-large:f16", "query: ", "passage: "),
        ("Qwen/Qwen3-Embedding-0.6B", "Instruct: Given a web search query", ""),
        ("intfloat/multilingual-e5-large-instruct", "Instruct: Given a web search query", ""),
        ("mxbai-embed-large", "Represent this sentence for searching relevant passages: ", ""),
    ],
)
def test_a_known_model_gets_the_prompts_its_card_asks_for(
    model: str, query: str, document: str
) -> None:
    prompts = known_prompts(model)
    assert prompts.query.startswith(query)
    assert prompts.document == document


@pytest.mark.parametrize("model", ["bge-m3", "BAAI/bge-m3", "text-embedding-3-small", "gte5x"])
def test_other_models_embed_queries_and_passages_alike(model: str) -> None:
    assert known_prompts(model) == RetrievalPrompts()
    assert RetrievalPrompts().tag() == ""


def test_the_settings_replace_the_known_prompts_and_empty_means_none() -> None:
    assert chosen_prompts("nomic-embed-text", "Q: ", None) == RetrievalPrompts("Q: ", "")
    assert chosen_prompts("nomic-embed-text", "", "") == RetrievalPrompts()
    assert chosen_prompts("bge-m3", None, "D: ") == RetrievalPrompts("", "D: ")


def test_an_endpoint_model_is_sent_its_prompts_and_names_its_vectors_by_them() -> None:
    with EmbeddingServer() as server:
        embedder = make_embedder(
            Settings(embedder="openai:nomic-embed-text", embeddings_url=server.url)
        )
        assert isinstance(embedder, OpenAICompatEmbedder)
        embedder.embed_query("pixel shuffle")
        embedder.embed_documents(["SmolVLM uses pixel shuffle."])
        sent = [request["body"]["input"] for request in server.requests]
    assert sent == [
        ["search_query: pixel shuffle"],
        ["search_document: SmolVLM uses pixel shuffle."],
    ]
    assert embedder.model_id == "openai:nomic-embed-text[search_query: |search_document: ]"


def test_prefixes_from_the_environment_override_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_QUERY_PREFIX", "")
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_DOCUMENT_PREFIX", "")
    plain = make_embedder(Settings(embedder="openai:nomic-embed-text"))
    assert isinstance(plain, OpenAICompatEmbedder)
    assert plain.model_id == "openai:nomic-embed-text"
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_QUERY_PREFIX", "query: ")
    assert make_embedder(Settings(embedder="st:my/model")).model_id == "st:my/model[query: |]"


def test_a_sentence_transformers_model_is_named_by_its_prompts() -> None:
    embedder = make_embedder(Settings(embedder="st:google/embeddinggemma-300m"))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.model_id == (
        "st:google/embeddinggemma-300m[task: search result | query: |title: none | text: ]"
    )
    assert make_embedder(Settings(embedder="st:BAAI/bge-m3")).model_id == "st:BAAI/bge-m3"
