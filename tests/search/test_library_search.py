"""The facade: `add` embeds what it adds, `search` is hybrid by default, `index` and `reindex`
embed what is missing."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from papershelf.cli.context import AppContext
from papershelf.cli.index_cmds import reindex
from papershelf.core.settings import Settings
from papershelf.embeddings.universal import UniversalSentenceEncoder
from papershelf.library import Library
from papershelf.search.hybrid import OTHER_EMBEDDER_DENSE_WEIGHT, FusionSettings
from papershelf.search.indexing import vector_space
from papershelf.search.lexicon import MIN_DF
from tests.embeddings.embedding_server import EmbeddingServer

NOTES = """# Pixel shuffle notes

## Method

Pixel shuffle rearranges each 2x2 block of patch embeddings into one token, so an image costs
four times fewer tokens in the language model.

## Results

The compressed model reaches 81.6 on the document benchmark.
"""


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


def missing(library: Library) -> int:
    assert library.embedder is not None
    return library.store.count_missing_vectors(vector_space(library.embedder))


def test_adding_a_paper_embeds_its_passages(notes: Path) -> None:
    with Library() as library:
        report = library.add([str(notes)])
        assert report.ok
        assert missing(library) == 0


def test_search_is_hybrid_by_default_and_answers_chinese_questions(notes: Path) -> None:
    with Library() as library:
        library.add([str(notes)])
        hits = library.search("像素重排如何减少视觉令牌？")
        assert hits and "Pixel shuffle" in hits[0].passage.text
        assert library.search("81.6", mode="lexical")[0].passage.text.endswith(
            "81.6 on the document benchmark."
        )
        assert library.search("token compression", mode="dense")


def test_index_embeds_only_what_is_missing(notes: Path) -> None:
    with Library(Settings(embedder="none")) as library:
        library.add([str(notes)])
        assert library.index() == 0  # dense search is off
    with Library() as library:
        assert library.index() > 0
        assert library.index() == 0


def test_add_reports_embedding_progress(notes: Path) -> None:
    seen: list[tuple[int, int]] = []
    with Library() as library:
        library.add([str(notes)], index_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] > 0


def test_reindex_embeds_after_the_embedder_is_switched_on(
    notes: Path, papershelf_home: Path
) -> None:
    with Library(Settings(embedder="none")) as library:
        library.add([str(notes)])
    app = AppContext(papershelf_home, None)
    result = CliRunner().invoke(reindex, ["--json"], obj=app)
    app.close()
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["embedded"] > 0 and payload["embedder"] == "use-multilingual-v3"


def test_the_built_in_embedder_also_carries_words_between_the_languages() -> None:
    with Library() as library:
        assert library.word_embedder is library.embedder
        assert library.searcher.fusion.dense_weight == FusionSettings().dense_weight


def test_another_passage_embedder_keeps_the_built_in_model_for_words(notes: Path) -> None:
    settings = Settings(embedder="openai:nomic-embed-text")
    with EmbeddingServer() as server:
        settings.embeddings_url = server.url
        with Library(settings) as library:
            assert library.add([str(notes)]).ok
            words = library.word_embedder
            assert isinstance(words, UniversalSentenceEncoder)
            assert missing(library) == 0  # the passages, by the endpoint's model
            assert library.store.terms_missing_vectors(vector_space(words), MIN_DF, 5) == []
            assert library.store.term_vectors(vector_space(words)) is not None
            assert library.searcher.fusion.dense_weight == OTHER_EMBEDDER_DENSE_WEIGHT
            assert library.search("pixel shuffle tokens")
        sent = [text for request in server.requests for text in request["body"]["input"]]
    assert all(text.startswith(("search_document: ", "search_query: ")) for text in sent)
    assert not any(text.endswith("shuffle") for text in sent)  # no lexicon word went there


def test_words_left_without_the_built_in_models_vectors_are_reported_until_reindex(
    notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Library(Settings(embedder="none")) as plain:
        notes.write_text(NOTES + "\n## More\n\n" + NOTES.split("## Method")[1], encoding="utf-8")
        assert plain.add([str(notes)]).ok
    with EmbeddingServer() as server:
        settings = Settings(embedder="openai:nomic-embed-text", embeddings_url=server.url)
        with Library(settings) as library:
            assert library.search("pixel shuffle tokens", mode="lexical")
            assert "run `papershelf reindex` once" in caplog.text
            library.index()
        caplog.clear()
        with Library(settings) as library:
            assert library.search("pixel shuffle tokens", mode="lexical")
            assert "reindex" not in caplog.text
