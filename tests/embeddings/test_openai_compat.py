"""The OpenAI-compatible embeddings provider against a real local HTTP server."""

import numpy as np
import pytest

from papershelf.core.endpoints import openai_base_url
from papershelf.core.errors import SourceUnavailable
from papershelf.embeddings.openai_compat import OpenAICompatEmbedder
from tests.embeddings.embedding_server import DIMENSIONS, EmbeddingServer, vector_of
from tests.support.fake_llm_server import closed_port_url


@pytest.fixture
def server():
    with EmbeddingServer() as running:
        yield running


def test_documents_come_back_as_unit_rows_in_input_order(server: EmbeddingServer) -> None:
    server.reverse_order = True  # the API says order by `index`, not by position
    embedder = OpenAICompatEmbedder(server.url, "nomic-embed-text")
    matrix = embedder.embed_documents(["first", "second"])
    expected = np.array([vector_of("first"), vector_of("second")], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(matrix, expected, rtol=1e-6)


def test_many_documents_go_in_several_requests(server: EmbeddingServer) -> None:
    embedder = OpenAICompatEmbedder(server.url, "nomic-embed-text")
    matrix = embedder.embed_documents([f"text {i}" for i in range(130)])
    assert matrix.shape == (130, DIMENSIONS)
    assert [len(r["body"]["input"]) for r in server.requests] == [64, 64, 2]


def test_dimensions_are_learnt_from_the_endpoint(server: EmbeddingServer) -> None:
    assert OpenAICompatEmbedder(server.url, "nomic-embed-text").dimensions == DIMENSIONS


def test_query_prefixes_reach_the_model_and_name_the_vectors(server: EmbeddingServer) -> None:
    embedder = OpenAICompatEmbedder(
        server.url,
        "nomic-embed-text",
        query_prefix="search_query: ",
        document_prefix="search_document: ",
    )
    embedder.embed_query("pixel shuffle")
    assert server.requests[-1]["body"]["input"] == ["search_query: pixel shuffle"]
    assert embedder.model_id != OpenAICompatEmbedder(server.url, "nomic-embed-text").model_id


def test_the_api_key_is_sent_as_a_bearer_token(server: EmbeddingServer) -> None:
    OpenAICompatEmbedder(server.url, "nomic-embed-text", api_key="sk-test").embed_query("x")
    assert server.requests[-1]["auth"] == "Bearer sk-test"


def test_an_unknown_model_says_how_to_get_it(server: EmbeddingServer) -> None:
    with pytest.raises(SourceUnavailable, match="ollama pull bge-m3"):
        OpenAICompatEmbedder(server.url, "bge-m3").embed_query("x")


def test_an_unreachable_endpoint_says_what_to_start() -> None:
    with pytest.raises(SourceUnavailable, match="cannot reach the embedding endpoint"):
        OpenAICompatEmbedder(closed_port_url(), "nomic-embed-text", timeout=2).embed_query("x")


def test_a_server_error_is_reported_with_its_detail(server: EmbeddingServer) -> None:
    server.fail_with = (500, "out of memory")
    with pytest.raises(SourceUnavailable, match=r"answered 500.*out of memory"):
        OpenAICompatEmbedder(server.url, "nomic-embed-text").embed_documents(["x"])


@pytest.mark.parametrize(
    ("written", "base"),
    [
        ("localhost:11434", "http://localhost:11434/v1"),
        ("http://localhost:11434/v1/embeddings", "http://localhost:11434/v1"),
        ("http://localhost:11434/api/embed", "http://localhost:11434/v1"),
        ("https://api.openai.com/v1/", "https://api.openai.com/v1"),
    ],
)
def test_base_urls_are_normalised(written: str, base: str) -> None:
    assert openai_base_url(written) == base
