"""The vector part of the Store contract: every backend subclasses it with a `store` fixture."""

import numpy as np
import pytest

from papershelf.storage.base import Store
from tests.storage.contract import make_document

SPACE = "test-model#text1"


def rows(n: int, width: int = 4, start: float = 0.0) -> np.ndarray:
    return (np.arange(n * width, dtype=np.float32).reshape(n, width) + start) / 10


class VectorStoreContract:
    def test_new_passages_are_missing_vectors_in_key_order(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one", "two"], title="T"))
        pending = store.passages_missing_vectors(SPACE)
        assert [(p.paper_id, p.title, p.text) for p in pending] == [
            ("doc:1", "T", "one"),
            ("doc:1", "T", "two"),
        ]
        assert pending[0].key < pending[1].key
        assert store.count_missing_vectors(SPACE) == 2

    def test_stored_vectors_come_back_with_their_keys_and_papers(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one", "two"]))
        keys = [p.key for p in store.passages_missing_vectors(SPACE)]
        assert store.set_vectors(SPACE, keys, rows(2)) == 2
        loaded = store.vectors(SPACE)
        assert loaded is not None
        assert loaded.keys.tolist() == keys
        assert loaded.paper_ids.tolist() == ["doc:1", "doc:1"]
        np.testing.assert_array_equal(loaded.matrix, rows(2))
        assert store.count_missing_vectors(SPACE) == 0

    def test_another_embedders_vectors_count_as_missing(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one"]))
        keys = [p.key for p in store.passages_missing_vectors(SPACE)]
        store.set_vectors(SPACE, keys, rows(1))
        assert store.count_missing_vectors("other-model#text1") == 1
        assert len(store.vectors("other-model#text1").keys) == 0  # type: ignore[union-attr]

    def test_missing_vectors_can_be_limited_to_some_papers(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one"]))
        store.put(make_document("doc:2", ["two", "three"]))
        assert [p.text for p in store.passages_missing_vectors(SPACE, paper_ids=["doc:2"])] == [
            "two",
            "three",
        ]
        assert store.count_missing_vectors(SPACE, ["doc:1"]) == 1

    def test_vectors_are_read_again_only_after_a_change(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one"]))
        first = store.vectors(SPACE)
        assert first is not None
        assert store.vectors(SPACE, unless_version=first.version) is None
        store.set_vectors(SPACE, [p.key for p in store.passages_missing_vectors(SPACE)], rows(1))
        assert store.vectors(SPACE, unless_version=first.version) is not None

    def test_a_vector_for_a_removed_passage_is_dropped(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one"]))
        key = store.passages_missing_vectors(SPACE)[0].key
        store.remove("doc:1")
        store.put(make_document("doc:2", ["another"]))
        assert store.set_vectors(SPACE, [key], rows(1)) == 0
        assert store.count_missing_vectors(SPACE) == 1

    def test_keys_of_removed_passages_are_never_given_again(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one"]))
        old = store.passages_missing_vectors(SPACE)[0].key
        store.remove("doc:1")
        store.put(make_document("doc:1", ["one"]))
        assert store.passages_missing_vectors(SPACE)[0].key > old

    def test_passages_are_fetched_by_key(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one", "two"]))
        keys = [p.key for p in store.passages_missing_vectors(SPACE)]
        found = store.get_passages([keys[1], 10**9])
        assert list(found) == [keys[1]]
        assert found[keys[1]].text == "two"

    def test_a_matrix_that_does_not_fit_the_keys_is_refused(self, store: Store) -> None:
        store.put(make_document("doc:1", ["one"]))
        with pytest.raises(Exception, match="one row per passage key"):
            store.set_vectors(SPACE, [1, 2], rows(1))

    def test_lexicon_words_need_two_passages_and_get_vectors(self, store: Store) -> None:
        store.put(make_document("doc:1", ["bottleneck blocks", "a bottleneck", "blocks of stone"]))
        assert store.terms_missing_vectors(SPACE) == ["blocks", "bottleneck"]
        assert store.set_term_vectors(SPACE, ["bottleneck"], rows(1)) == 1
        lexicon = store.term_vectors(SPACE)
        assert lexicon is not None and lexicon.terms == ["bottleneck"]
        assert store.terms_missing_vectors(SPACE) == ["blocks"]

    def test_lexicon_words_come_most_frequent_first_each_with_its_own_vector(
        self, store: Store
    ) -> None:
        texts = ["alpha beta gamma", "alpha beta gamma", "alpha beta", "alpha delta", "delta"]
        store.put(make_document("doc:1", texts))
        words = ["gamma", "beta", "alpha", "delta"]
        store.set_term_vectors(SPACE, words, rows(4))
        lexicon = store.term_vectors(SPACE)
        assert lexicon is not None
        assert lexicon.terms == ["alpha", "beta", "delta", "gamma"]  # df 4, 3, then 2 by name
        expected = [rows(4)[words.index(term)] for term in lexicon.terms]
        assert np.array_equal(lexicon.matrix, np.stack(expected))
        first = store.term_vectors(SPACE, limit=2)
        assert first is not None and first.terms == ["alpha", "beta"]
        assert np.array_equal(first.matrix, np.stack(expected[:2]))
