"""Rerankers run for real: a tiny BERT reranker the tests write as GGUF (random weights, a
classification head), scored by llama.cpp in process (`gguf:`) and by llama.cpp's own HTTP server
(`api:`, the /v1/rerank endpoint llama-server --reranking serves)."""

import logging
import math
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from papershelf.core.errors import ConfigError, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_reranker
from papershelf.embeddings.gguf_rerank import GGUFReranker
from papershelf.embeddings.rerank_api import ApiReranker, rerank_url
from papershelf.library import Library
from papershelf.llm.model_files import bundled_gguf
from papershelf.search.indexing import shown_text
from tests.embeddings.tiny_gguf import write_tiny_bert

pytestmark = [pytest.mark.llm, pytest.mark.slow]

xllamacpp = pytest.importorskip("xllamacpp", reason="gguf: rerankers need `pip install xllamacpp`")
QUESTION = "alpha beta"
PASSAGES = ["alpha beta gamma", "delta epsilon", "zeta eta theta", "beta"]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reranker")
    return write_tiny_bert(folder / "tiny-reranker.gguf", context=32, rank_head=True)


@pytest.fixture(scope="module")
def reranker(model: Path, tmp_path_factory: pytest.TempPathFactory) -> GGUFReranker:
    home = tmp_path_factory.mktemp("home")
    made = make_reranker(Settings(home=home, reranker=f"gguf:{model}"))
    assert isinstance(made, GGUFReranker)
    return made


def test_passages_are_scored_in_order_and_alike_alone_or_together(
    reranker: GGUFReranker,
) -> None:
    together = reranker.score(QUESTION, PASSAGES)
    alone = [reranker.score(QUESTION, [text])[0] for text in PASSAGES]
    assert together == pytest.approx(alone, abs=1e-5)
    assert len(set(round(score, 4) for score in together)) == len(PASSAGES)
    assert reranker.score("zeta", PASSAGES) != pytest.approx(together)  # the question counts
    assert reranker.score(QUESTION, []) == []


def test_a_file_is_named_by_its_name_size_and_head(reranker: GGUFReranker, model: Path) -> None:
    assert reranker.model_id.startswith(f"gguf:{model.name}@{model.stat().st_size}.")


def test_a_passage_longer_than_the_models_context_is_scored_from_its_start(
    reranker: GGUFReranker,
) -> None:
    start = "alpha beta " * 4
    # Two passages alike in their first ~40 words and their length, unlike in their end.
    one = start + "gamma " * 60
    other = start + "gamma " * 30 + "theta " * 30
    scores = reranker.score(QUESTION, [one, other, "theta " * 60, "gamma " * 60])
    assert scores[0] == pytest.approx(scores[1], abs=1e-5)
    assert scores[2] != pytest.approx(scores[3], abs=1e-3)  # ends alone do differ


def test_an_empty_passage_is_scored(reranker: GGUFReranker) -> None:
    [score] = reranker.score(QUESTION, [""])
    assert math.isfinite(score)


def test_a_question_longer_than_the_models_context_is_cut_not_refused(
    reranker: GGUFReranker,
) -> None:
    start = "alpha beta gamma delta " * 12  # 96 words: the model reads 32 tokens
    question = start + "epsilon zeta eta theta " * 12
    scores = reranker.score(question, PASSAGES)
    assert len(scores) == len(PASSAGES) and all(math.isfinite(s) for s in scores)
    # Alike in their start and length, unlike at the end: cut to the same words.
    other = start + "theta eta zeta epsilon " * 12
    assert reranker.score(other, PASSAGES) == pytest.approx(scores, abs=1e-5)


def test_a_model_without_a_classification_head_is_refused(tmp_path: Path) -> None:
    embedding_model = write_tiny_bert(tmp_path / "tiny-bert.gguf")
    chat_model = bundled_gguf()
    for path in [embedding_model] + ([chat_model] if chat_model else []):
        made = make_reranker(Settings(home=tmp_path, reranker=f"gguf:{path}"))
        assert made is not None
        with pytest.raises(ConfigError, match=r"no classification head.*not a reranking model"):
            made.score(QUESTION, PASSAGES)


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("gguf:/nowhere/model.gguf", "no GGUF model file"),
        ("gguf:", "unknown reranker"),
        ("cohere", "unknown reranker"),
        ("api:bge-reranker-v2-m3", "PAPERSHELF_RERANKER_URL"),
    ],
)
def test_names_that_name_no_reranker_say_what_to_write(
    tmp_path: Path, name: str, complaint: str
) -> None:
    with pytest.raises(ConfigError, match=complaint) as raised:
        make_reranker(Settings(home=tmp_path, reranker=name))
    assert "gguf:" in str(raised.value) or "PAPERSHELF_RERANKER_URL" in str(raised.value)


@pytest.mark.parametrize("name", ["none", "", " NONE "])
def test_none_is_no_reranker(tmp_path: Path, name: str) -> None:
    assert make_reranker(Settings(home=tmp_path, reranker=name)) is None


@pytest.mark.parametrize("depth", ["0", "-3", "1000"])
def test_a_rerank_depth_out_of_range_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: str
) -> None:
    monkeypatch.setenv("PAPERSHELF_RERANK_DEPTH", depth)
    with pytest.raises(ValueError, match="PAPERSHELF_RERANK_DEPTH"):
        Settings(home=tmp_path)


def test_rerank_urls_from_what_users_write() -> None:
    assert rerank_url("localhost:8080") == "http://localhost:8080/v1/rerank"
    assert rerank_url("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080/v1/rerank"
    assert rerank_url("https://api.jina.ai/v1/rerank") == "https://api.jina.ai/v1/rerank"
    assert rerank_url("127.0.0.1:8080/rerank") == "http://127.0.0.1:8080/rerank"


class LlamaServer:
    """llama.cpp's HTTP server (the one llama-server runs) over the tiny reranker."""

    def __init__(self, model: Path, *, reranking: bool = True):
        params = xllamacpp.CommonParams()
        params.model.path = str(model)
        params.embedding = True
        if reranking:
            params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_RANK
        params.n_parallel = 1
        params.n_ctx = params.n_batch = params.n_ubatch = 2048
        params.verbosity = -1
        self.key = secrets.token_urlsafe(12)
        params.api_keys = [self.key]
        self.server: Any = xllamacpp.Server(params)
        self.url = self.server.listening_address


@pytest.fixture(scope="module")
def llama_server(model: Path) -> Iterator[LlamaServer]:
    yield LlamaServer(model)


def test_an_endpoint_scores_as_llama_cpp_does_in_process(
    llama_server: LlamaServer, reranker: GGUFReranker, tmp_path: Path
) -> None:
    settings = Settings(
        home=tmp_path,
        reranker="api:tiny-reranker",
        reranker_url=llama_server.url,
        reranker_api_key=llama_server.key,
    )
    remote = make_reranker(settings)
    assert isinstance(remote, ApiReranker)
    assert remote.model_id == "api:tiny-reranker"
    expected = reranker.score(QUESTION, PASSAGES)
    assert remote.score(QUESTION, PASSAGES) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("key", "reranking", "complaint"),
    [
        ("wrong", True, "answered 401.*PAPERSHELF_RERANKER_API_KEY"),
        (None, False, "answered 501.*--reranking"),
    ],
    ids=["a wrong key", "a server started without --reranking"],
)
def test_an_endpoint_that_refuses_says_why(
    llama_server: LlamaServer, model: Path, key: str | None, reranking: bool, complaint: str
) -> None:
    server = llama_server if reranking else LlamaServer(model, reranking=False)
    remote = ApiReranker(server.url, "tiny-reranker", api_key=key or server.key)
    with pytest.raises(SourceUnavailable, match=complaint):
        remote.score(QUESTION, PASSAGES)


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        (
            b'{"results": [{"index": 0, "relevance_score": 1}, {"index": 0, "relevance_score": 2}]}',
            "given twice",
        ),
        (
            b'{"results": [{"index": 0, "relevance_score": 1}, {"index": 5, "relevance_score": 2}]}',
            "out of range",
        ),
        (b'{"results": [{"index": 0, "relevance_score": 1}]}', "scored 1 of 2"),
        (
            b'{"results": [{"index": 0, "relevance_score": NaN}, {"index": 1, "relevance_score": 2}]}',
            "score nan",
        ),
        (
            b'{"results": [{"index": 0, "relevance_score": 1e999}, {"index": 1, "relevance_score": 2}]}',
            "score inf",
        ),
        (b'{"results": [{"index": 0, "relevance_score": "high"}]}', "rerank format"),
        (b'{"data": []}', "rerank format"),
        (b"<html>proxy</html>", "rerank format"),
    ],
    ids=[
        "an index twice",
        "an index out of range",
        "a passage unscored",
        "NaN",
        "infinity",
        "a word for a score",
        "another shape",
        "not JSON",
    ],
)
def test_an_answer_that_does_not_score_each_passage_once_is_refused(
    answer: bytes, complaint: str
) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=answer))
    remote = ApiReranker("http://rerank.test/v1", "m", transport=transport)
    with pytest.raises(SourceUnavailable, match=complaint):
        remote.score(QUESTION, PASSAGES[:2])


def test_an_unreachable_endpoint_says_so() -> None:
    remote = ApiReranker("http://127.0.0.1:9/v1", "tiny-reranker", timeout=2)
    with pytest.raises(SourceUnavailable, match="cannot reach the rerank endpoint"):
        remote.score(QUESTION, PASSAGES)


NOTES = {
    "pixel.md": ("Pixel shuffle", "Pixel shuffle merges each 2x2 block of patches into a token."),
    "zero.md": ("ZeRO", "ZeRO partitions optimizer states and gradients across the GPUs."),
    "bn.md": ("Batch normalization", "Batch normalization uses the mini-batch statistics."),
}


def _write_notes(folder: Path) -> list[str]:
    paths = []
    for name, (title, text) in NOTES.items():
        path = folder / name
        path.write_text(f"# {title}\n\n## Notes\n\n{text}\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def test_a_library_orders_its_hits_by_the_rerankers_scores(model: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", reranker=f"gguf:{model}", rerank_depth=9)
    question = "How are the patches and the GPUs used?"
    with Library(settings) as library:
        assert library.add(_write_notes(tmp_path)).ok
        hits = library.search(question, limit=3)
        assert library.searcher.reranker is not None
        assert library.searcher.rerank_depth == 9
        texts = [shown_text(h.citation.title, h.passage.section, h.passage.text) for h in hits]
        scores = library.searcher.reranker.score(question, texts)
    assert len(hits) == 3
    assert [hit.score for hit in hits] == pytest.approx(scores, abs=1e-5)
    assert scores == sorted(scores, reverse=True)


def test_an_unreachable_reranker_leaves_the_first_stage_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    papers = _write_notes(tmp_path)
    question = "How are optimizer states partitioned?"
    with Library(Settings(home=tmp_path / "plain")) as plain:
        assert plain.add(papers).ok
        expected = [hit.passage.id for hit in plain.search(question)]
    settings = Settings(
        home=tmp_path / "reranked", reranker="api:m", reranker_url="http://127.0.0.1:9/v1"
    )
    with Library(settings) as library:
        assert library.add(papers).ok
        with caplog.at_level(logging.WARNING, logger="papershelf.search.hybrid"):
            found = [hit.passage.id for hit in library.search(question)]
    assert found == expected and found
    assert "reranking skipped, first-stage order kept" in caplog.text
