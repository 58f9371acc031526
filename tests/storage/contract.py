"""The Store contract as a reusable test class: every backend subclasses it with a `store` fixture.

Also the small builder the storage tests use to write Documents by hand.
"""

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from papershelf.core.models import Document, Paper, PaperFilter, Passage, Section
from papershelf.core.textindex import query_terms
from papershelf.storage.base import Store


def make_document(
    paper_id: str = "doc:000000000001",
    texts: list[str] | None = None,
    *,
    title: str = "A Study of Small Models",
    section: str = "1 Introduction",
    content: str | None = None,
    **paper_fields: Any,
) -> Document:
    """A paper with one section and one passage per text, laid end to end on pages 1, 2, ..."""
    texts = ["Small models are useful."] if texts is None else texts
    paper_fields.setdefault("source", "arxiv" if paper_id.startswith("arxiv:") else "text")
    paper = Paper(id=paper_id, title=title, **paper_fields)
    passages, offset = [], 0
    for ordinal, text in enumerate(texts):
        passages.append(
            Passage(
                paper_id=paper_id,
                ordinal=ordinal,
                section=section,
                page_start=ordinal + 1,
                page_end=ordinal + 1,
                char_start=offset,
                char_end=offset + len(text),
                text=text,
                tokens=len(text.split()),
            )
        )
        offset += len(text) + 1
    full_text = "\n".join(texts) if content is None else content
    sections = [Section(ordinal=0, heading=section, page_start=1, char_end=len(full_text))]
    return Document(paper=paper, content=full_text, sections=sections, passages=passages)


def search(
    store: Store, query: str, limit: int = 20, **filters: Any
) -> list[tuple[Passage, float]]:
    filter = PaperFilter(**filters) if filters else None
    return store.search_lexical(query_terms(query), limit=limit, filter=filter)


def found_texts(store: Store, query: str, **filters: Any) -> list[str]:
    return [passage.text for passage, _ in search(store, query, **filters)]


def found_papers(store: Store, query: str, **filters: Any) -> set[str]:
    return {passage.paper_id for passage, _ in search(store, query, **filters)}


def listed_ids(store: Store, **filters: Any) -> list[str]:
    return [paper.id for paper in store.list(PaperFilter(**filters))]


class StoreContract:
    """Behaviour every Store must have. Subclasses provide a `store` fixture on an empty store."""

    @pytest.fixture
    def library(self, store: Store) -> Store:
        """Four papers differing in every filterable field."""
        store.put(
            make_document(
                "arxiv:2504.05299",
                ["Pixel shuffle compresses visual tokens; the model reaches 81.6 on DocVQA."],
                title="SmolVLM: Redefining Small Multimodal Models",
                authors=["Andrés Marafioti", "Orr Zohar"],
                published=date(2025, 4, 7),
                collections=["vlm", "ai_essay"],
                arxiv_id="2504.05299",
            )
        )
        store.put(
            make_document(
                "arxiv:1512.03385",
                ["Residual learning eases the training of very deep networks."],
                title="Deep Residual Learning for Image Recognition",
                authors=["Kaiming He", "Xiangyu Zhang"],
                published=date(2015, 12, 10),
                collections=["ai_essay"],
                arxiv_id="1512.03385",
            )
        )
        store.put(
            make_document(
                "doc:00000000b10g",
                ["SmolVLM 使用像素洗牌来压缩视觉令牌，在边缘设备上高效推理。", "模型的性能很强。"],
                title="SmolVLM 越变越小",
                section="概览",
                authors=["Merve Noyan"],
                published=date(2025, 1, 23),
                source="markdown",
                language="zh",
            )
        )
        store.put(
            make_document(
                "doc:0000000n0te5",
                ["Notes about the shuffle dance and 81 other moves."],
                title="Undated notes",
                source="text",
            )
        )
        return store

    # Documents

    def test_a_stored_document_comes_back_whole_and_in_order(self, store: Store) -> None:
        document = make_document("doc:1", ["first part", "second part", "third part"])
        document.sections.append(Section(ordinal=1, heading="2 Method", level=1, page_start=3))
        store.put(document)
        assert store.get_document("doc:1") == document

    def test_every_paper_field_survives_a_round_trip(self, store: Store) -> None:
        paper = Paper(
            id="arxiv:2501.09898",
            source="arxiv",
            arxiv_id="2501.09898",
            version=4,
            title="Fast-FoundationStereo",
            authors=["Bowen Wen", "Stan Birchfield"],
            abstract="Real-time zero-shot stereo matching.",
            categories=["cs.CV", "cs.RO"],
            keywords=["stereo", "distillation"],
            published=date(2025, 1, 17),
            updated=date(2025, 3, 2),
            added=datetime(2025, 5, 1, 12, 30, tzinfo=UTC),
            language="en",
            collections=["vision"],
            pages=14,
            doi="10.1000/xyz",
            journal_ref="CVPR 2025",
            origin="https://arxiv.org/abs/2501.09898v4",
            file_sha256="f" * 64,
            content_sha256="c" * 64,
            extractor_version="pdfium-1",
            legacy_id="67e3b2f0a1b2c3d4e5f60718",
            legacy_fields={
                "views": {"$numberInt": "3"},
                "insert_date": {"$date": {"$numberLong": "1768467600000"}},
            },
        )
        store.put(Document(paper=paper, content="text"))
        assert store.get("arxiv:2501.09898") == paper

    def test_passage_vectors_come_back_with_the_document(self, store: Store) -> None:
        document = make_document("doc:1", ["a passage with a vector"])
        document.passages[0].vector = [0.5, -1.0, 0.25]
        store.put(document)
        stored = store.get_document("doc:1")
        assert stored is not None
        assert stored.passages[0].vector == [0.5, -1.0, 0.25]

    def test_an_unknown_paper_is_none(self, store: Store) -> None:
        assert store.get("doc:missing") is None
        assert store.get_document("doc:missing") is None

    def test_putting_the_same_id_again_replaces_paper_and_passages(self, store: Store) -> None:
        store.put(make_document("doc:1", ["old zebra text", "more zebra"], title="Old title"))
        store.put(make_document("doc:1", ["new giraffe text"], title="New title"))
        document = store.get_document("doc:1")
        assert document is not None
        assert document.paper.title == "New title"
        assert [p.text for p in document.passages] == ["new giraffe text"]
        assert found_texts(store, "zebra") == []
        assert found_texts(store, "giraffe") == ["new giraffe text"]
        assert store.count() == 1

    def test_remove_deletes_the_paper_and_says_whether_it_was_there(self, store: Store) -> None:
        store.put(make_document("doc:1", ["zebra crossing"], collections=["animals"]))
        assert store.remove("doc:1") is True
        assert store.get_document("doc:1") is None
        assert found_texts(store, "zebra") == []
        assert store.collections() == {}
        assert store.remove("doc:1") is False

    # Finding and listing

    def test_find_matches_any_deduplication_key(self, store: Store) -> None:
        store.put(
            make_document(
                "arxiv:2504.05299",
                arxiv_id="2504.05299",
                content_sha256="c" * 64,
                file_sha256="f" * 64,
                legacy_id="67e3b2f0a1b2c3d4e5f60718",
            )
        )
        assert store.find(arxiv_id="2504.05299").id == "arxiv:2504.05299"
        assert store.find(content_sha256="c" * 64).id == "arxiv:2504.05299"
        assert store.find(file_sha256="f" * 64).id == "arxiv:2504.05299"
        assert store.find(legacy_id="67e3b2f0a1b2c3d4e5f60718").id == "arxiv:2504.05299"
        assert store.find(arxiv_id="9999.99999", file_sha256="f" * 64).id == "arxiv:2504.05299"
        assert store.find(arxiv_id="9999.99999") is None

    def test_find_without_keys_finds_nothing(self, store: Store) -> None:
        store.put(make_document("doc:1"))
        assert store.find() is None

    def test_list_puts_the_newest_publication_first_then_title_and_undated_last(
        self, library: Store
    ) -> None:
        assert listed_ids(library) == [
            "arxiv:2504.05299",
            "doc:00000000b10g",
            "arxiv:1512.03385",
            "doc:0000000n0te5",
        ]

    def test_list_pages_with_limit_and_offset(self, library: Store) -> None:
        first = [p.id for p in library.list(limit=2)]
        second = [p.id for p in library.list(limit=2, offset=2)]
        assert first + second == listed_ids(library)

    def test_papers_published_the_same_day_are_listed_by_title(self, store: Store) -> None:
        for paper_id, title in [("doc:1", "Beta"), ("doc:2", "Alpha")]:
            store.put(make_document(paper_id, title=title, published=date(2024, 1, 1)))
        assert listed_ids(store) == ["doc:2", "doc:1"]

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"collection": "vlm"}, ["arxiv:2504.05299"]),
            ({"collection": "ai_essay"}, ["arxiv:2504.05299", "arxiv:1512.03385"]),
            ({"author": "KAIMING"}, ["arxiv:1512.03385"]),
            ({"author": "andrés mara"}, ["arxiv:2504.05299"]),
            ({"year_from": 2025}, ["arxiv:2504.05299", "doc:00000000b10g"]),
            ({"year_to": 2024}, ["arxiv:1512.03385"]),
            ({"year_from": 2015, "year_to": 2015}, ["arxiv:1512.03385"]),
            ({"source": "markdown"}, ["doc:00000000b10g"]),
            (
                {"paper_ids": ["doc:0000000n0te5", "arxiv:1512.03385"]},
                ["arxiv:1512.03385", "doc:0000000n0te5"],
            ),
            ({"paper_ids": []}, []),
            ({"collection": "ai_essay", "author": "he"}, ["arxiv:1512.03385"]),
        ],
    )
    def test_list_and_count_apply_the_filter(
        self, library: Store, filters: dict[str, Any], expected: list[str]
    ) -> None:
        assert listed_ids(library, **filters) == expected
        assert library.count(PaperFilter(**filters)) == len(expected)

    @pytest.mark.parametrize("author", ["张晓明", "張曉", "晓明", "LI WEI", "ｗｅｉ", "strasse"])
    def test_the_author_filter_folds_script_width_and_case(self, store: Store, author: str) -> None:
        store.put(make_document("doc:1", authors=["張曉明", "Ｌｉ Ｗｅｉ", "Anna Straße"]))
        store.put(make_document("doc:2", authors=["王芳", "Wang Fang"]))
        assert listed_ids(store, author=author) == ["doc:1"]
        assert store.count(PaperFilter(author=author)) == 1

    def test_titles_are_read_for_the_stored_papers_asked_for(self, library: Store) -> None:
        asked = ["arxiv:1512.03385", "doc:missing", "arxiv:1512.03385", "doc:0000000n0te5"]
        titles = library.titles(asked)
        assert titles == {
            paper_id: library.get(paper_id).title  # type: ignore[union-attr]
            for paper_id in ("arxiv:1512.03385", "doc:0000000n0te5")
        }
        assert all(titles.values())
        assert library.titles([]) == {}

    def test_titles_follow_papers_put_again_added_and_removed(self, store: Store) -> None:
        store.put(make_document("doc:1", title="Old Title"))
        assert store.titles(["doc:1", "doc:2"]) == {"doc:1": "Old Title"}
        store.put(make_document("doc:1", title="New Title"))
        store.put(make_document("doc:2", title="Second"))
        assert store.titles(["doc:1", "doc:2"]) == {"doc:1": "New Title", "doc:2": "Second"}
        store.remove("doc:1")
        assert store.titles(["doc:1", "doc:2"]) == {"doc:2": "Second"}

    def test_indexed_tokens_are_those_a_stored_passage_holds(self, store: Store) -> None:
        store.put(make_document("doc:1", ["训练数据集由三部分组成。", "Pixel shuffle."]))
        asked = ["数据", "据集", "集合", "训", "pixel", "shuffl", "shuffle", "compress", "的"]
        # English words are tokens as the index stems them (Porter): 'shuffle' -> 'shuffl'.
        assert store.indexed_tokens(asked) == {"数据", "据集", "训", "pixel", "shuffl"}
        assert store.indexed_tokens([]) == set()

    def test_indexed_tokens_follow_papers_put_again_and_removed(self, store: Store) -> None:
        store.put(make_document("doc:1", ["训练数据集"]))
        store.put(make_document("doc:2", ["Momentum contrast."]))
        assert store.indexed_tokens(["训练", "momentum"]) == {"训练", "momentum"}
        store.put(make_document("doc:1", ["融合策略"]))
        assert store.indexed_tokens(["训练", "融合"]) == {"融合"}
        store.remove("doc:1")
        assert store.indexed_tokens(["融合", "momentum"]) == {"momentum"}

    def test_collections_counts_the_papers_in_each(self, library: Store) -> None:
        assert library.collections() == {"ai_essay": 2, "vlm": 1}

    # Lexical search

    def test_search_finds_english_words_with_any_inflection(self, library: Store) -> None:
        assert found_papers(library, "residual networks") == {"arxiv:1512.03385"}
        assert found_papers(library, "compressing") == {"arxiv:2504.05299"}

    def test_search_finds_a_decimal_number_as_one_unit(self, library: Store) -> None:
        assert found_papers(library, "81.6") == {"arxiv:2504.05299"}
        assert found_papers(library, "81") == {"doc:0000000n0te5"}

    def test_search_ranks_the_passage_matching_more_terms_first(self, library: Store) -> None:
        hits = search(library, "pixel shuffle")
        assert hits[0][0].paper_id == "arxiv:2504.05299"
        assert "doc:0000000n0te5" in {passage.paper_id for passage, _ in hits}

    def test_search_scores_are_higher_for_better_passages(self, library: Store) -> None:
        scores = [score for _, score in search(library, "pixel shuffle")]
        assert len(scores) >= 2
        assert scores == sorted(scores, reverse=True)
        assert scores[0] > scores[-1]

    def test_search_counts_title_and_heading_matches(self, store: Store) -> None:
        store.put(make_document("doc:1", ["nothing relevant here"], title="Stereo Matching"))
        store.put(make_document("doc:2", ["plain words"], section="4 Disparity Refinement"))
        assert found_papers(store, "stereo") == {"doc:1"}
        assert found_papers(store, "refinement") == {"doc:2"}

    def test_search_returns_at_most_limit_passages(self, store: Store) -> None:
        store.put(make_document("doc:1", [f"zebra number {i}" for i in range(10)]))
        assert len(search(store, "zebra", limit=3)) == 3

    @pytest.mark.parametrize(
        ("query", "expected_text"),
        [
            ("像素洗牌", "SmolVLM 使用像素洗牌来压缩视觉令牌，在边缘设备上高效推理。"),
            ("视觉", "SmolVLM 使用像素洗牌来压缩视觉令牌，在边缘设备上高效推理。"),
            ("性能", "模型的性能很强。"),
            ("洗", "SmolVLM 使用像素洗牌来压缩视觉令牌，在边缘设备上高效推理。"),
            ("模型的性能如何？", "模型的性能很强。"),
        ],
    )
    def test_chinese_queries_find_chinese_passages(
        self, library: Store, query: str, expected_text: str
    ) -> None:
        assert found_texts(library, query)[0] == expected_text

    def test_a_text_written_in_taiwan_is_found_in_the_mainland_s_words(self, store: Store) -> None:
        store.put(make_document("doc:tw", ["這套軟體用影片資料訓練，記憶體佔用很小。"]))
        store.put(make_document("doc:zh", ["这部影片在电脑上播放。"]))  # 影片: a film here
        assert found_papers(store, "软件 内存") == {"doc:tw"}
        assert found_papers(store, "视频") == {"doc:tw"}
        assert found_papers(store, "影片") == {"doc:tw", "doc:zh"}
        assert store.indexed_tokens(["软件", "软体", "视频", "内存"]) == {
            "软件",
            "软体",
            "视频",
            "内存",
        }

    def test_a_mixed_query_finds_both_languages(self, library: Store) -> None:
        assert found_papers(library, "SmolVLM 像素洗牌") == {"arxiv:2504.05299", "doc:00000000b10g"}

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"collection": "ai_essay"}, {"arxiv:2504.05299"}),
            ({"author": "noyan"}, {"doc:00000000b10g"}),
            ({"year_to": 2024}, set()),
            ({"source": "text"}, {"doc:0000000n0te5"}),
            ({"paper_ids": ["doc:0000000n0te5"]}, {"doc:0000000n0te5"}),
            ({"paper_ids": ["doc:missing"]}, set()),
        ],
    )
    def test_search_applies_the_filter(
        self, library: Store, filters: dict[str, Any], expected: set[str]
    ) -> None:
        assert found_papers(library, "shuffle 像素", **filters) == expected

    @pytest.mark.parametrize(
        "term",
        [
            '"',
            "AND",
            "OR",
            "NOT",
            "*",
            "-",
            "NEAR(",
            "pix*",
            "^pixel",
            "title:pixel",
            "(",
            ":",
            "'",
        ],
    )
    def test_query_syntax_in_user_terms_is_searched_as_text(
        self, library: Store, term: str
    ) -> None:
        hits = library.search_lexical([term, "residual"])
        words = " ".join(re.findall(r"\w+", term.lower()))
        texts = [passage.text.lower() for passage, _ in hits]
        assert any("residual" in text for text in texts)
        for text in texts:
            assert "residual" in text or (words and re.search(rf"\b{words}\b", text))

    def test_quotes_in_a_term_cannot_open_another_query(self, library: Store) -> None:
        assert library.search_lexical(['zebra" OR "pixel']) == []
        assert library.search_lexical(["zebra OR pixel"]) == []

    def test_terms_without_words_find_nothing(self, library: Store) -> None:
        assert library.search_lexical([]) == []
        assert library.search_lexical(["", "  ", "*", "-", '"']) == []
