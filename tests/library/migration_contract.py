"""How copying a library between two stores must behave, whatever the backends: a reusable test
class whose subclasses give `source` and `target` fixtures (two empty stores)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pytest

from papershelf.core.errors import InputError
from papershelf.core.models import Document
from papershelf.library_migrate import copy_library, document_checksum
from papershelf.storage.base import Store
from tests.storage.contract import make_document

EMBEDDER = "test-embedder#text1"
OTHER_EMBEDDER = "other-embedder#text1"
WIDTH = 8


def papers() -> list[Document]:
    """Three papers with shared words (so the lexicon has terms held by two passages)."""
    return [
        make_document(
            "arxiv:2504.05299",
            [
                "Pixel shuffle compresses visual tokens sixteen-fold.",
                "Small vision models reach 81.6 on document benchmarks with pixel shuffle.",
                "像素洗牌减少视觉标记。",
            ],
            title="SmolVLM: Redefining Small Multimodal Models",
            arxiv_id="2504.05299",
            version=2,
            authors=["Andrés Marafioti", "Orr Zohar"],
            collections=["ai_essay", "vision"],
            keywords=["SmolVLM", "pixel shuffle"],
            legacy_id="69670233c375f34f0c97ff09",
        ),
        make_document(
            "doc:0000000000a1",
            ["Batch normalization speeds up training.", "Normalization of small batches is hard."],
            title="Notes on normalization",
        ),
        make_document("doc:0000000000b2", ["A paper without vectors about tokens."], title="Plain"),
    ]


def fill(store: Store, embedder_id: str = EMBEDDER) -> dict[tuple[str, int], bytes]:
    """Put the papers, give all but the last paper vectors and the lexicon term vectors; the
    vectors by (paper id, ordinal)."""
    documents = papers()
    for document in documents:
        store.put(document)
    pending = store.passages_missing_vectors(
        embedder_id, limit=100, paper_ids=[d.paper.id for d in documents[:2]]
    )
    matrix = np.random.default_rng(7).normal(size=(len(pending), WIDTH)).astype(np.float32)
    store.set_vectors(embedder_id, [p.key for p in pending], matrix)
    terms = store.terms_missing_vectors(embedder_id, min_df=1, limit=1000)
    store.set_term_vectors(embedder_id, terms, np.ones((len(terms), WIDTH), np.float32))
    return vectors_by_ordinal(store, embedder_id)


def vectors_by_ordinal(store: Store, embedder_id: str) -> dict[tuple[str, int], bytes]:
    found = store.vectors(embedder_id)
    if found is None or not len(found.keys):
        return {}
    passages = store.get_passages(found.keys.tolist())
    return {
        (passages[int(k)].paper_id, passages[int(k)].ordinal): row.tobytes()
        for k, row in zip(found.keys, found.matrix, strict=True)
    }


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a migration could change, to show that it did not."""
    ids = [paper.id for paper in store.list(limit=1000)]
    terms = store.term_vectors(EMBEDDER, min_df=1)
    return {
        "documents": {pid: document_checksum(store.get_document(pid)) for pid in ids},  # type: ignore[arg-type]
        "vectors": vectors_by_ordinal(store, EMBEDDER),
        "terms": None if terms is None else (terms.terms, terms.matrix.tobytes()),
        "collections": store.collections(),
    }


class Altering:
    """A store that silently changes one paper's title on `put`: a broken copy to detect."""

    def __init__(self, store: Store, paper_id: str):
        self._store = store
        self._paper_id = paper_id

    def put(self, document: Document) -> None:
        if document.paper.id == self._paper_id:
            paper = document.paper.model_copy(update={"title": document.paper.title + "!"})
            document = document.model_copy(update={"paper": paper})
        self._store.put(document)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class Dropping(Altering):
    """A store that silently loses one paper on `put`."""

    def put(self, document: Document) -> None:
        if document.paper.id != self._paper_id:
            self._store.put(document)


class Interrupted(Exception):
    pass


class MigrationContract:
    """Subclasses provide `source` and `target` fixtures: two empty stores."""

    @pytest.fixture
    def shifted_target(self, target: Store) -> Iterator[Store]:
        """The target with its passage keys moved on, so keys differ from the source's."""
        target.put(make_document("doc:00000000dead", ["x"] * 7, title="Gone"))
        target.remove("doc:00000000dead")
        yield target

    def test_every_paper_is_copied_whole(self, source: Store, shifted_target: Store) -> None:
        fill(source)
        report = copy_library(source, shifted_target, [EMBEDDER])
        assert report.verified, report
        assert (report.papers, report.passages) == (3, 6)
        for document in papers():
            copied = shifted_target.get_document(document.paper.id)
            assert copied is not None
            assert document_checksum(copied) == document_checksum(document)
        assert shifted_target.collections() == source.collections()

    def test_vectors_land_on_the_same_passages_though_keys_differ(
        self, source: Store, shifted_target: Store
    ) -> None:
        vectors = fill(source)
        report = copy_library(source, shifted_target, [EMBEDDER])
        assert report.vectors == {EMBEDDER: 5}
        assert vectors_by_ordinal(shifted_target, EMBEDDER) == vectors
        assert shifted_target.count_missing_vectors(EMBEDDER) == 1  # the paper without vectors

    def test_term_vectors_are_copied(self, source: Store, target: Store) -> None:
        fill(source)
        report = copy_library(source, target, [EMBEDDER])
        wanted = source.term_vectors(EMBEDDER, min_df=1)
        copied = target.term_vectors(EMBEDDER, min_df=1)
        assert wanted is not None and copied is not None
        assert report.term_vectors[EMBEDDER] == len(wanted.terms) > 0
        assert dict(zip(copied.terms, copied.matrix.tolist(), strict=True)) == dict(
            zip(wanted.terms, wanted.matrix.tolist(), strict=True)
        )

    def test_the_copy_is_searchable_like_the_source(self, source: Store, target: Store) -> None:
        fill(source)
        copy_library(source, target, [EMBEDDER])
        terms = ["pixel", "shuffle"]
        assert [(p.paper_id, p.ordinal) for p, _ in target.search_lexical(terms)] == [
            (p.paper_id, p.ordinal) for p, _ in source.search_lexical(terms)
        ]

    def test_passages_of_equal_score_keep_their_order_in_the_copy(
        self, source: Store, target: Store
    ) -> None:
        # stored oldest first; listed newest first: each store breaks ties by its passage keys
        for number, year in ((3, 2020), (4, 2024)):
            source.put(
                make_document(
                    f"doc:0000000000c{number}",
                    ["Tied passages score alike.", "Another tied passage."],
                    title="Twin",
                    published=date(year, 1, 1),
                )
            )
        pending = source.passages_missing_vectors(EMBEDDER, limit=100)
        matrix = np.ones((len(pending), WIDTH), np.float32)
        source.set_vectors(EMBEDDER, [p.key for p in pending], matrix)
        copy_library(source, target, [EMBEDDER])
        ranked = [
            [(p.paper_id, p.ordinal, score) for p, score in store.search_lexical(["tied"])]
            for store in (source, target)
        ]
        assert [paper_id for paper_id, _, _ in ranked[0][:2]] == [
            "doc:0000000000c3",
            "doc:0000000000c4",
        ]
        assert ranked[1] == ranked[0]

    def test_the_source_is_not_modified(self, source: Store, target: Store) -> None:
        fill(source)
        before = snapshot(source)
        copy_library(source, target, [EMBEDDER])
        assert snapshot(source) == before

    def test_a_target_holding_papers_is_refused_and_left_alone(
        self, source: Store, target: Store
    ) -> None:
        fill(source)
        target.put(make_document("doc:0000000000c3", ["Someone else's paper."], title="Theirs"))
        before = snapshot(target)
        with pytest.raises(InputError, match=r"already holds 1 paper.*--merge"):
            copy_library(source, target, [EMBEDDER])
        assert snapshot(target) == before

    def test_merge_replaces_same_id_papers_and_keeps_the_others(
        self, source: Store, target: Store
    ) -> None:
        fill(source)
        target.put(make_document("doc:0000000000c3", ["Someone else's paper."], title="Theirs"))
        target.put(make_document("doc:0000000000a1", ["An older text."], title="Old notes"))
        report = copy_library(source, target, [EMBEDDER], merge=True)
        assert report.verified, report
        assert (report.replaced, report.kept) == (["doc:0000000000a1"], 1)
        assert target.count() == 4
        assert target.get("doc:0000000000a1").title == "Notes on normalization"  # type: ignore[union-attr]
        assert target.get("doc:0000000000c3") is not None

    def test_an_interrupted_copy_is_finished_by_running_again_with_merge(
        self, source: Store, target: Store
    ) -> None:
        vectors = fill(source)

        def stop_after_first(done: int, total: int, paper_id: str) -> None:
            raise Interrupted

        with pytest.raises(Interrupted):
            copy_library(source, target, [EMBEDDER], progress=stop_after_first)
        assert target.count() == 1
        report = copy_library(source, target, [EMBEDDER], merge=True)
        assert report.verified, report
        assert target.count() == 3
        assert vectors_by_ordinal(target, EMBEDDER) == vectors
        again = copy_library(source, target, [EMBEDDER], merge=True)
        assert again.verified and snapshot(target)["vectors"] == vectors

    def test_a_copy_that_differs_is_reported_by_paper_id(
        self, source: Store, target: Store
    ) -> None:
        fill(source)
        report = copy_library(source, Altering(target, "doc:0000000000a1"), [EMBEDDER])  # type: ignore[arg-type]
        assert not report.verified
        assert report.mismatches == ["doc:0000000000a1"]

    def test_a_paper_missing_from_the_copy_is_reported(self, source: Store, target: Store) -> None:
        fill(source)
        report = copy_library(source, Dropping(target, "arxiv:2504.05299"), [EMBEDDER])  # type: ignore[arg-type]
        assert report.mismatches == ["arxiv:2504.05299"]
        assert "papers: 3 in the source, 2 in the target" in report.problems
        assert "passages: 6 in the source, 3 in the target" in report.problems

    def test_vectors_of_unnamed_embedders_are_counted_not_copied(
        self, source: Store, target: Store
    ) -> None:
        fill(source)
        pending = source.passages_missing_vectors(OTHER_EMBEDDER, paper_ids=["doc:0000000000b2"])
        source.set_vectors(OTHER_EMBEDDER, [p.key for p in pending], np.ones((1, 4), np.float32))
        report = copy_library(source, target, [EMBEDDER])
        assert report.verified
        assert report.uncopied_vectors == 1
        named = copy_library(source, target, [EMBEDDER, OTHER_EMBEDDER], merge=True)
        assert named.verified and named.uncopied_vectors == 0
        assert named.vectors == {EMBEDDER: 5, OTHER_EMBEDDER: 1}

    def test_an_empty_source_copies_nothing(self, source: Store, target: Store) -> None:
        report = copy_library(source, target, [EMBEDDER])
        assert report.verified and report.papers == 0 and target.count() == 0
