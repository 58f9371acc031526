"""The vector part of the Store contract: every backend subclasses it with a `store` fixture."""

import numpy as np
import pytest

from papershelf.storage.base import Store, TermVectors, VectorSet
from tests.storage.contract import make_document

SPACE = "test-model#text1"


def assert_a_whole_read(found: VectorSet | None, store: Store) -> None:
    """`found` is what a whole read of the store's vectors gives now, order included."""
    whole = store.vectors(SPACE)
    assert found is not None and whole is not None
    assert found.version == whole.version
    assert found.keys.tolist() == whole.keys.tolist()
    assert found.paper_ids.tolist() == whole.paper_ids.tolist()
    np.testing.assert_array_equal(found.matrix, whole.matrix)


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

    # A read given an earlier set (`since`) answers exactly what a full read answers, whatever
    # was written between the two; SQLite reads only the rows written since, MongoDB reads all.

    def _vectorize(self, store: Store, paper_id: str, start: float = 0.0) -> None:
        keys = [p.key for p in store.passages_missing_vectors(SPACE, paper_ids=[paper_id])]
        store.set_vectors(SPACE, keys, rows(len(keys), start=start))

    def _assert_read_since_is_a_whole_read(self, store: Store, earlier: VectorSet) -> None:
        assert_a_whole_read(
            store.vectors(SPACE, unless_version=earlier.version, since=earlier), store
        )

    def _library_of_two(self, store: Store) -> VectorSet:
        store.put(make_document("doc:1", ["one", "two"]))
        self._vectorize(store, "doc:1")
        store.put(make_document("doc:2", ["three"]))
        self._vectorize(store, "doc:2", start=5)
        earlier = store.vectors(SPACE)
        assert earlier is not None and len(earlier.keys) == 3
        return earlier

    def test_a_read_since_sees_a_paper_added_with_its_vectors(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.put(make_document("doc:3", ["four", "five"]))
        self._vectorize(store, "doc:3", start=9)
        self._assert_read_since_is_a_whole_read(store, earlier)

    def test_a_read_since_sees_vectors_given_to_older_passages(self, store: Store) -> None:
        store.put(make_document("doc:0", ["zero", "nought"]))
        earlier = self._library_of_two(store)
        self._vectorize(store, "doc:0", start=3)
        self._assert_read_since_is_a_whole_read(store, earlier)

    def test_a_read_since_drops_a_removed_paper(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.remove("doc:1")
        self._assert_read_since_is_a_whole_read(store, earlier)

    def test_a_read_since_follows_a_paper_stored_again(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.put(make_document("doc:1", ["one", "two", "more"]))
        self._vectorize(store, "doc:1", start=7)
        self._assert_read_since_is_a_whole_read(store, earlier)

    def test_a_read_since_sees_a_vector_written_again(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.set_vectors(SPACE, [int(earlier.keys[1])], rows(1, start=42))
        self._assert_read_since_is_a_whole_read(store, earlier)

    def test_a_read_since_drops_vectors_of_another_embedder(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.set_vectors("other-model#text1", [int(earlier.keys[0])], rows(1))
        self._assert_read_since_is_a_whole_read(store, earlier)
        later = store.vectors(SPACE)
        assert later is not None
        store.set_vectors(SPACE, [int(earlier.keys[0])], rows(1, start=1))
        self._assert_read_since_is_a_whole_read(store, later)

    def test_a_read_since_after_a_write_without_vectors(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.put(make_document("doc:3", ["not embedded"]))
        self._assert_read_since_is_a_whole_read(store, earlier)

    def test_a_read_since_an_empty_set(self, store: Store) -> None:
        earlier = store.vectors(SPACE)
        assert earlier is not None
        store.put(make_document("doc:1", ["one"]))
        self._vectorize(store, "doc:1")
        self._assert_read_since_is_a_whole_read(store, earlier)

    # The lexicon read given an earlier one (`since`) is the whole read's: the same words in the
    # same order with the same vectors.

    def _assert_lexicon_since_is_a_whole_read(self, store: Store, earlier: TermVectors) -> None:
        since = store.term_vectors(SPACE, unless_version=earlier.version, since=earlier)
        whole = store.term_vectors(SPACE)
        assert since is not None and whole is not None
        assert since.version == whole.version
        assert since.terms == whole.terms
        np.testing.assert_array_equal(since.matrix, whole.matrix)

    def _lexicon_of(self, store: Store, texts: list[str], paper_id: str = "doc:1") -> TermVectors:
        store.put(make_document(paper_id, texts))
        self._embed_lexicon(store)
        lexicon = store.term_vectors(SPACE)
        assert lexicon is not None and lexicon.terms
        return lexicon

    def _embed_lexicon(self, store: Store, start: float = 0.0) -> None:
        words = store.terms_missing_vectors(SPACE)
        store.set_term_vectors(SPACE, words, rows(len(words), start=start))

    def test_a_lexicon_read_since_sees_words_embedded_after(self, store: Store) -> None:
        earlier = self._lexicon_of(store, ["alpha beta", "alpha beta gamma"])
        store.put(make_document("doc:2", ["gamma delta", "delta epsilon"]))
        self._embed_lexicon(store, start=3)
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_after_a_paper_adds_no_word(self, store: Store) -> None:
        earlier = self._lexicon_of(store, ["alpha beta", "alpha beta"])
        store.put(make_document("doc:2", ["alpha", "beta alpha"]))
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_drops_words_of_a_removed_paper(self, store: Store) -> None:
        self._lexicon_of(store, ["alpha beta", "alpha beta"])
        earlier = self._lexicon_of(store, ["gamma delta", "gamma delta"], "doc:2")
        store.remove("doc:2")
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_sees_a_word_back_in_two_passages(self, store: Store) -> None:
        self._lexicon_of(store, ["alpha beta", "alpha beta"])
        store.put(make_document("doc:2", ["gamma"]))
        self._lexicon_of(store, ["gamma"], "doc:4")
        store.remove("doc:4")  # gamma in one passage: out of the lexicon, its vector kept
        earlier = store.term_vectors(SPACE)
        assert earlier is not None and "gamma" not in earlier.terms
        store.put(make_document("doc:3", ["gamma"]))  # in two again, with the vector it had
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_a_removal_and_a_word_back(self, store: Store) -> None:
        self._lexicon_of(store, ["alpha beta", "alpha beta"])
        for paper_id, word in (("doc:2", "gamma"), ("doc:4", "gamma"), ("doc:5", "delta")):
            store.put(make_document(paper_id, [word]))
        self._lexicon_of(store, ["delta"], "doc:6")
        store.remove("doc:4")
        earlier = store.term_vectors(SPACE)
        assert earlier is not None and "gamma" not in earlier.terms and "delta" in earlier.terms
        store.remove("doc:6")  # delta leaves as gamma comes back: the count stays the same
        store.put(make_document("doc:3", ["gamma"]))
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_a_word_moved_to_another_embedder(self, store: Store) -> None:
        self._lexicon_of(store, ["alpha beta", "alpha beta"])
        store.put(make_document("doc:2", ["gamma"]))
        self._lexicon_of(store, ["gamma"], "doc:4")
        store.remove("doc:4")
        earlier = store.term_vectors(SPACE)
        assert earlier is not None and earlier.terms == ["alpha", "beta"]
        store.set_term_vectors("other-model#text1", ["beta"], rows(1))  # beta leaves
        store.put(make_document("doc:3", ["gamma"]))  # gamma comes back
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_sees_a_word_embedded_again(self, store: Store) -> None:
        earlier = self._lexicon_of(store, ["alpha beta", "alpha beta"])
        store.set_term_vectors(SPACE, ["alpha"], rows(1, start=9))
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_lexicon_read_since_keeps_to_the_limit(self, store: Store) -> None:
        store.put(make_document("doc:1", ["alpha beta", "alpha beta gamma", "alpha gamma"]))
        self._embed_lexicon(store)
        earlier = store.term_vectors(SPACE, limit=2)
        assert earlier is not None and earlier.terms == ["alpha", "beta"]
        store.put(make_document("doc:2", ["gamma delta", "gamma delta"]))
        self._embed_lexicon(store, start=3)
        since = store.term_vectors(SPACE, limit=2, since=earlier)
        assert since is not None and since.terms == ["gamma", "alpha"]  # df 4 and 3

    def test_a_lexicon_read_since_follows_the_new_frequencies(self, store: Store) -> None:
        earlier = self._lexicon_of(store, ["alpha beta", "alpha beta", "alpha"])
        assert earlier.terms == ["alpha", "beta"]
        store.put(make_document("doc:2", ["beta", "beta", "beta"]))
        self._assert_lexicon_since_is_a_whole_read(store, earlier)

    def test_a_read_since_every_paper_was_removed(self, store: Store) -> None:
        earlier = self._library_of_two(store)
        store.remove("doc:1")
        store.remove("doc:2")
        self._assert_read_since_is_a_whole_read(store, earlier)
