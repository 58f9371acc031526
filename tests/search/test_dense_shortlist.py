"""The dense shortlist: a large matrix is first scored in its principal directions, and only the
rows that score best there are scored exactly."""

import numpy as np
import pytest

from papershelf.search import dense, dense_shortlist
from papershelf.search.dense import DenseIndex
from papershelf.search.dense_shortlist import (
    Projection,
    principal_directions,
    project,
    shortlist,
)
from papershelf.search.indexing import embed_missing, vector_space
from papershelf.storage.sqlite import SqliteStore
from tests.search.conftest import WordHashEmbedder
from tests.storage.contract import make_document


def unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def low_rank_rows(rows: int, rank: int = 12, dimensions: int = 64, seed: int = 0) -> np.ndarray:
    """Unit rows that vary mostly along `rank` directions, as embeddings of one field do."""
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((rank, dimensions))
    noise = 0.05 * rng.standard_normal((rows, dimensions))
    return unit(rng.standard_normal((rows, rank)) @ mixing + noise)


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense_shortlist, "SHORTLIST_FROM_ROWS", 1_000)
    monkeypatch.setattr(dense_shortlist, "DIMENSIONS", 16)
    monkeypatch.setattr(dense_shortlist, "SHORTLIST_ROWS", 200)
    monkeypatch.setattr(dense_shortlist, "SHORTLIST_PER_RESULT", 10)
    monkeypatch.setattr(dense_shortlist, "FIT_SAMPLE", 2_000)


def keys_of(matrix: np.ndarray, first: int = 0) -> np.ndarray:
    return np.arange(first, first + len(matrix), dtype=np.int64)


def exact_nearest(matrix: np.ndarray, query: np.ndarray, k: int) -> set[int]:
    return {int(i) for i in np.argsort(-(matrix @ query))[:k]}


def test_a_small_matrix_is_left_to_the_exact_product() -> None:
    assert project(low_rank_rows(500, dimensions=256), keys_of(np.zeros(500))) is None


def test_a_matrix_no_wider_than_the_projection_is_left_to_the_exact_product(
    small_thresholds: None,
) -> None:
    assert project(low_rank_rows(5_000, dimensions=16), keys_of(np.zeros(5_000))) is None


def test_the_shortlist_holds_the_nearest_rows_of_a_large_matrix(small_thresholds: None) -> None:
    matrix = low_rank_rows(6_000)
    projection = project(matrix, keys_of(matrix))
    assert projection is not None and projection.rows.shape == (6_000, 16)
    queries = unit(matrix[:40] + 0.1 * np.random.default_rng(1).standard_normal(matrix[:40].shape))
    for query in queries:
        rows = shortlist(projection, query, 10)
        assert len(rows) == 200
        assert exact_nearest(matrix, query, 10) <= set(rows.tolist())


def test_the_shortlist_is_in_ascending_row_order_without_repeats(small_thresholds: None) -> None:
    matrix = low_rank_rows(3_000)
    projection = project(matrix, keys_of(matrix))
    assert projection is not None
    rows = shortlist(projection, matrix[7], 5)
    assert rows.tolist() == sorted(set(rows.tolist()))


def test_the_shortlist_grows_with_the_passages_asked_for(small_thresholds: None) -> None:
    projection = project(low_rank_rows(3_000), keys_of(np.zeros(3_000)))
    assert projection is not None
    assert len(shortlist(projection, low_rank_rows(1, seed=3)[0], 50)) == 500


def test_no_shortlist_is_made_when_it_would_hold_every_row(small_thresholds: None) -> None:
    projection = project(low_rank_rows(1_200), keys_of(np.zeros(1_200)))
    assert projection is not None
    assert shortlist(projection, low_rank_rows(1, seed=3)[0], 200) is None


def test_the_same_matrix_gives_the_same_directions(small_thresholds: None) -> None:
    matrix = low_rank_rows(4_000)
    first, second = project(matrix, keys_of(matrix)), project(matrix.copy(), keys_of(matrix))
    assert first is not None and second is not None
    assert np.array_equal(first.basis, second.basis)


def test_the_directions_are_kept_while_most_of_their_rows_remain(small_thresholds: None) -> None:
    matrix = low_rank_rows(4_500)
    first = project(matrix[:2_000], keys_of(matrix[:2_000]))
    assert first is not None
    grown = project(matrix[:3_500], keys_of(matrix[:3_500]), first)
    assert grown is not None and grown.basis is first.basis
    assert grown.rows.shape == (3_500, 16)
    fewer = project(matrix[500:3_500], keys_of(matrix[500:3_500], 500), grown)
    assert fewer is not None and fewer.basis is first.basis


def test_the_directions_are_computed_again_once_the_matrix_has_doubled(
    small_thresholds: None,
) -> None:
    matrix = low_rank_rows(4_500)
    first = project(matrix[:2_000], keys_of(matrix[:2_000]))
    doubled = project(matrix, keys_of(matrix), first)
    assert first is not None and doubled is not None
    assert doubled.basis is not first.basis
    assert np.array_equal(doubled.fitted_keys, keys_of(matrix))


def test_the_directions_are_computed_again_once_most_of_their_rows_are_gone(
    small_thresholds: None,
) -> None:
    matrix = low_rank_rows(4_500)
    first = project(matrix[:4_000], keys_of(matrix[:4_000]))
    rest = project(matrix[2_500:], keys_of(matrix[2_500:], 2_500), first)
    assert first is not None and rest is not None and rest.basis is not first.basis


def projected_after(before: np.ndarray, after: np.ndarray) -> tuple[Projection, Projection]:
    """The projections of `before`, then of `after` (same keys) given the first one."""
    first = project(before, keys_of(before))
    second = project(after, keys_of(after), first)
    assert first is not None and second is not None
    return first, second


def test_the_directions_are_computed_again_when_the_same_keys_hold_other_vectors(
    small_thresholds: None,
) -> None:
    after = low_rank_rows(3_000, seed=5)
    first, replaced = projected_after(low_rank_rows(3_000, seed=0), after)
    assert replaced.basis is not first.basis
    assert np.array_equal(replaced.basis, principal_directions(after))


def test_the_directions_are_computed_again_for_vectors_of_another_width(
    small_thresholds: None,
) -> None:
    _, widened = projected_after(
        low_rank_rows(3_000, dimensions=64), low_rank_rows(3_000, dimensions=96)
    )
    assert widened.basis.shape == (96, 16)


def test_only_rows_added_after_the_carried_ones_are_projected(small_thresholds: None) -> None:
    matrix = low_rank_rows(3_000)
    first = project(matrix[:2_500], keys_of(matrix[:2_500]))
    assert first is not None
    grown = project(matrix, keys_of(matrix), first, carried=2_500)
    assert grown is not None and grown.basis is first.basis
    assert np.shares_memory(grown.rows, first.rows) is False
    assert np.array_equal(grown.rows[:2_500], first.rows)
    np.testing.assert_allclose(grown.rows[2_500:], matrix[2_500:] @ first.basis, atol=1e-6)


def test_rows_not_carried_are_projected_again_even_under_the_same_keys(
    small_thresholds: None,
) -> None:
    matrix = low_rank_rows(3_000)
    first = project(matrix, keys_of(matrix))
    assert first is not None
    rewritten = matrix.copy()
    rewritten[1_240] = matrix[77]  # one vector written again; the probes would not see it
    again = project(rewritten, keys_of(rewritten), first)
    assert again is not None and again.basis is first.basis
    np.testing.assert_allclose(again.rows[1_240], first.rows[77], atol=1e-6)


def indexed_library(store: SqliteStore, papers: int = 120) -> tuple[WordHashEmbedder, DenseIndex]:
    """A library of `papers` ten-passage papers, embedded, and a dense index over it."""
    embedder = WordHashEmbedder()
    for n in range(papers):
        texts = [f"paper {n} topic{n % 37} passage {i} word{(n * 7 + i) % 101}" for i in range(10)]
        store.put(make_document(f"doc:{n:012d}", texts))
    embed_missing(store, embedder)
    return embedder, DenseIndex(store, vector_space(embedder))


def test_a_passage_added_after_loading_is_found_through_the_shortlist(
    small_thresholds: None, store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder, index = indexed_library(store)
    assert index.search(embedder.embed_query("paper 3"), 5)
    loaded = index._current().projection
    assert loaded is not None
    store.put(make_document("doc:new000000001", ["zebra quokka axolotl narwhal"]))
    embed_missing(store, embedder)
    query = embedder.embed_query("zebra quokka axolotl narwhal")
    shortlisted: list[int] = []

    def recording(projection, vector, limit):  # type: ignore[no-untyped-def]
        rows = shortlist(projection, vector, limit)
        shortlisted.append(len(rows))
        return rows

    monkeypatch.setattr(dense, "shortlist", recording)
    found = index.search(query, 3)
    reloaded = index._current().projection
    assert reloaded is not None and reloaded.basis is loaded.basis
    assert shortlisted == [200] and len(index) == 1_201
    vectors = store.vectors(vector_space(embedder))
    assert vectors is not None
    assert found[0][0] == int(vectors.keys[-1])
    assert found[0][1] == pytest.approx(float(np.max(vectors.matrix @ query)))


def test_a_search_within_some_papers_scores_all_their_passages_exactly(
    small_thresholds: None, store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder, index = indexed_library(store)
    monkeypatch.setattr(dense_shortlist, "SHORTLIST_ROWS", 1)
    monkeypatch.setattr(dense_shortlist, "SHORTLIST_PER_RESULT", 1)
    query = embedder.embed_query("topic5 word9")
    papers = [f"doc:{n:012d}" for n in range(60)]
    found = index.search(query, 600, papers)
    assert len(found) == 600
    vectors = store.vectors(vector_space(embedder))
    assert vectors is not None
    in_papers = np.isin(vectors.paper_ids, papers)
    expected = np.sort(vectors.matrix[in_papers] @ query)[::-1]
    assert np.allclose([score for _, score in found], expected)


def test_a_vector_written_again_is_found_through_the_shortlist(
    small_thresholds: None, store: SqliteStore
) -> None:
    embedder, index = indexed_library(store)
    assert index.search(embedder.embed_query("paper 3"), 5)
    loaded = index._current()
    assert loaded.projection is not None
    key = int(loaded.vectors.keys[500])
    query = embedder.embed_query("zebra quokka axolotl narwhal")
    store.set_vectors(vector_space(embedder), [key], query[None, :])
    found = index.search(query, 3)
    assert index._current().projection is not None
    assert found[0][0] == key and found[0][1] == pytest.approx(1.0, abs=1e-5)
