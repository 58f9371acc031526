"""Incremental indexing: only passages without a vector from the current embedder are embedded."""

import numpy as np

from papershelf.search.dense import DenseIndex
from papershelf.search.indexing import embed_missing, embedding_text, vector_space
from papershelf.storage.base import PendingPassage
from papershelf.storage.sqlite import SqliteStore
from tests.search.conftest import Recording, WordHashEmbedder
from tests.storage.contract import make_document


def passages_embedded(embedder: Recording) -> list[str]:
    """The passage texts it embedded (lexicon words are embedded too, alone on a line)."""
    return [text.split("\n", 1)[1] for text in embedder.documents if "\n" in text]


def library_of(store: SqliteStore, papers: int, passages: int = 3) -> None:
    for n in range(papers):
        store.put(
            make_document(f"doc:{n:012d}", [f"paper {n} passage {i} text" for i in range(passages)])
        )


def test_adding_one_paper_to_a_large_library_embeds_only_that_paper(store: SqliteStore) -> None:
    library_of(store, 100)
    embedder = Recording(WordHashEmbedder())
    assert embed_missing(store, embedder) == 300
    embedder.documents.clear()
    store.put(make_document("doc:new000000001", ["a new passage", "another new one"]))
    assert embed_missing(store, embedder) == 2
    assert passages_embedded(embedder) == ["a new passage", "another new one"]


def test_a_second_run_embeds_nothing(store: SqliteStore) -> None:
    library_of(store, 3)
    embed_missing(store, WordHashEmbedder())
    assert embed_missing(store, WordHashEmbedder()) == 0


def test_switching_embedders_rebuilds_every_vector_once(store: SqliteStore) -> None:
    library_of(store, 4)
    embed_missing(store, WordHashEmbedder("word-hash-1"))
    assert embed_missing(store, WordHashEmbedder("word-hash-2")) == 12
    assert embed_missing(store, WordHashEmbedder("word-hash-2")) == 0
    assert len(store.vectors(vector_space(WordHashEmbedder("word-hash-2"))).keys) == 12  # type: ignore[union-attr]


def test_re_adding_an_unchanged_paper_keeps_its_vectors(store: SqliteStore) -> None:
    store.put(make_document("doc:1", ["one", "two"]))
    embed_missing(store, WordHashEmbedder())
    store.put(make_document("doc:1", ["one", "two", "three"]))
    embedder = Recording(WordHashEmbedder())
    embed_missing(store, embedder)
    assert passages_embedded(embedder) == ["three"]


def test_a_renamed_paper_is_embedded_again_because_its_title_is_embedded(
    store: SqliteStore,
) -> None:
    store.put(make_document("doc:1", ["one"], title="Old title"))
    embed_missing(store, WordHashEmbedder())
    store.put(make_document("doc:1", ["one"], title="New title"))
    assert embed_missing(store, WordHashEmbedder()) == 1


def test_only_the_named_papers_are_embedded_when_asked(store: SqliteStore) -> None:
    library_of(store, 3)
    assert embed_missing(store, WordHashEmbedder(), paper_ids=["doc:000000000001"]) == 3
    assert store.count_missing_vectors(vector_space(WordHashEmbedder())) == 6


def test_progress_counts_up_to_the_total(store: SqliteStore) -> None:
    library_of(store, 10, passages=10)
    seen: list[tuple[int, int]] = []
    embed_missing(
        store,
        WordHashEmbedder(),
        progress=lambda done, total: seen.append((done, total)),
        batch_size=32,
    )
    assert seen[0] == (0, 100)
    assert seen[-1] == (100, 100)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_the_dense_index_sees_new_vectors_without_being_rebuilt(store: SqliteStore) -> None:
    embedder = WordHashEmbedder()
    index = DenseIndex(store, vector_space(embedder))
    assert len(index) == 0
    library_of(store, 2)
    embed_missing(store, embedder)
    assert len(index) == 6
    store.remove("doc:000000000000")
    assert len(index) == 3


def test_the_embedder_sees_the_title_and_heading_with_the_text() -> None:
    pending = PendingPassage(
        1, "doc:1", "SmolVLM", "2 Architecture > 2.2 Pixel shuffle", "It compresses."
    )
    assert embedding_text(pending) == "SmolVLM | 2.2 Pixel shuffle\nIt compresses."


def test_dense_search_ranks_by_cosine(store: SqliteStore) -> None:
    embedder = WordHashEmbedder()
    store.put(make_document("doc:1", ["alpha beta", "gamma delta", "alpha gamma"]))
    embed_missing(store, embedder)
    found = DenseIndex(store, vector_space(embedder)).search(embedder.embed_query("alpha beta"), 3)
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert np.isclose(scores[0], max(scores))
