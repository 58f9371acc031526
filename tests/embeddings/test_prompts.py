"""Retrieval prompts: the settings', a local model folder's or the model card's, reaching both providers."""

import json
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest

from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_embedder
from papershelf.embeddings.openai_compat import OpenAICompatEmbedder
from papershelf.embeddings.prompts import (
    RetrievalPrompts,
    known_prompts,
    saved_prompts,
    set_prompts,
)
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


def test_the_tag_tells_apart_prompts_that_hold_its_separators() -> None:
    assert RetrievalPrompts("a|b", "c").tag() != RetrievalPrompts("a", "b|c").tag()
    assert "\n" not in RetrievalPrompts("Instruct: x\nQuery:").tag()


@pytest.mark.parametrize("folder", ["/data/e5-runs/bge-m3", "C:\\models\\e5-runs\\bge-m3"])
def test_only_a_local_models_own_folder_name_counts(folder: str) -> None:
    assert known_prompts(folder) == RetrievalPrompts()
    assert known_prompts("C:\\models\\multilingual-e5-base") == RetrievalPrompts(
        "query: ", "passage: "
    )


@pytest.mark.parametrize("model", ["bge-m3", "BAAI/bge-m3", "text-embedding-3-small", "gte5x"])
def test_other_models_embed_queries_and_passages_alike(model: str) -> None:
    assert known_prompts(model) == RetrievalPrompts()
    assert RetrievalPrompts().tag() == ""


def test_the_settings_choose_when_either_is_set_and_empty_means_none() -> None:
    assert set_prompts(None, None) is None
    assert set_prompts("Q: ", None) == RetrievalPrompts("Q: ", "")
    assert set_prompts("", "") == RetrievalPrompts()


def test_a_local_model_folder_names_its_own_prompts(tmp_path: Path) -> None:
    config = {"prompts": {"query": "find: ", "document": "doc: ", "STS": "sts: "}}
    (tmp_path / "config_sentence_transformers.json").write_text(json.dumps(config))
    assert saved_prompts(tmp_path) == RetrievalPrompts("find: ", "doc: ")
    embedder = make_embedder(Settings(embedder=f"st:{tmp_path}"))
    assert embedder is not None and embedder.model_id == f'st:{tmp_path}["find: ", "doc: "]'


@pytest.mark.parametrize("content", ["{}", '{"prompts": {}}', '{"prompts": ["q"]}', "not json"])
def test_a_folder_without_retrieval_prompts_names_none(tmp_path: Path, content: str) -> None:
    (tmp_path / "config_sentence_transformers.json").write_text(content)
    assert saved_prompts(tmp_path) is None
    assert saved_prompts(tmp_path / "missing") is None


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
    assert embedder.model_id == 'openai:nomic-embed-text["search_query: ", "search_document: "]'


def test_prefixes_from_the_environment_override_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_QUERY_PREFIX", "")
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_DOCUMENT_PREFIX", "")
    plain = make_embedder(Settings(embedder="openai:nomic-embed-text"))
    assert isinstance(plain, OpenAICompatEmbedder)
    assert plain.model_id == "openai:nomic-embed-text"
    monkeypatch.setenv("PAPERSHELF_EMBEDDINGS_QUERY_PREFIX", "query: ")
    assert make_embedder(Settings(embedder="st:my/model")).model_id == 'st:my/model["query: ", ""]'


def test_a_sentence_transformers_model_is_named_by_its_prompts() -> None:
    embedder = make_embedder(Settings(embedder="st:google/embeddinggemma-300m"))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.model_id == (
        'st:google/embeddinggemma-300m["task: search result | query: ", "title: none | text: "]'
    )
    assert make_embedder(Settings(embedder="st:BAAI/bge-m3")).model_id == "st:BAAI/bge-m3"


class _RecordingSentenceTransformer:
    """Stands in for sentence_transformers.SentenceTransformer, which needs PyTorch (not in the
    test environment; the real model was checked by hand, docs/retrieval-notes.md §21): records
    what `encode` is handed."""

    calls: ClassVar[list[tuple[list[str], object]]] = []

    def __init__(self, name: str, **_: object) -> None:
        self.name = name

    def encode(self, texts: list[str], prompt: object = None) -> list[list[float]]:
        self.calls.append((list(texts), prompt))
        return [[1.0, float(len(text))] for text in texts]


def test_a_sentence_transformers_model_is_handed_its_prompts_as_prompts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = types.ModuleType("sentence_transformers")
    module.SentenceTransformer = _RecordingSentenceTransformer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", module)
    _RecordingSentenceTransformer.calls = []
    gemma = make_embedder(Settings(embedder="st:google/embeddinggemma-300m"))
    plain = make_embedder(Settings(embedder="st:BAAI/bge-m3"))
    assert gemma is not None and plain is not None
    gemma.embed_documents(["SmolVLM uses pixel shuffle."])
    gemma.embed_query("pixel shuffle")
    plain.embed_query("pixel shuffle")
    assert _RecordingSentenceTransformer.calls == [
        (["SmolVLM uses pixel shuffle."], "title: none | text: "),
        (["pixel shuffle"], "task: search result | query: "),
        (["pixel shuffle"], ""),  # empty, so no default prompt of the model's is added
    ]
