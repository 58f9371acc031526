"""Hybrid search over a real store with the real default embedder."""

import pytest

from papershelf.core.errors import InputError
from papershelf.core.models import PaperFilter
from papershelf.search.hybrid import FusionSettings, Searcher
from papershelf.search.indexing import embed_missing
from papershelf.storage.sqlite import SqliteStore
from tests.search.conftest import Recording
from tests.search.papers import documents, overlapping_document
from tests.storage.contract import make_document


@pytest.fixture
def searcher(indexed: SqliteStore, use_model) -> Searcher:
    return Searcher(indexed, use_model)


def top(searcher: Searcher, query: str, mode: str = "hybrid", **kwargs) -> str:
    hits = searcher.search(query, limit=3, mode=mode, **kwargs)  # type: ignore[arg-type]
    return hits[0].passage.text if hits else ""


def top_three(searcher: Searcher, query: str) -> str:
    return "\n".join(hit.passage.text for hit in searcher.search(query, limit=3))


def test_a_chinese_question_finds_the_english_evidence(searcher: Searcher) -> None:
    assert "learned scale and shift" in top_three(
        searcher, "批归一化为什么要加上可学习的缩放和平移？"
    )


def test_the_tutorial_question_finds_the_smolvlm_passages(searcher: Searcher) -> None:
    hits = searcher.search("SmolVLM有哪些技术优势?", limit=2)
    assert {hit.citation.paper_id for hit in hits} == {"doc:000000smolzh"}


def test_dense_search_alone_bridges_languages(searcher: Searcher) -> None:
    assert "TPU v4" in top(searcher, "训练PaLM用了多少块芯片？", mode="dense")


def test_an_exact_number_is_found_by_its_lexical_match(searcher: Searcher) -> None:
    assert "6144" in top(searcher, "6144")


def test_a_paraphrase_without_shared_words_is_found_by_the_dense_side(searcher: Searcher) -> None:
    query = "rescaling after standardization to keep expressiveness"
    assert "learned scale and shift" in top(searcher, query, mode="dense")
    assert "learned scale and shift" in top(searcher, query)


def test_every_hit_carries_its_citation_and_rank(searcher: Searcher) -> None:
    hits = searcher.search("momentum encoder", limit=3)
    assert [hit.rank for hit in hits] == list(range(1, len(hits) + 1))
    assert hits[0].citation.paper_id == "arxiv:1911.05722"
    assert hits[0].citation.render().startswith("[arxiv:1911.05722")


def test_the_papers_of_the_hits_are_read_in_one_request(indexed: SqliteStore, monkeypatch) -> None:
    reads: list[object] = []
    for name in ("get", "list"):
        method = getattr(indexed, name)
        monkeypatch.setattr(
            indexed, name, lambda *a, _m=method, _n=name, **k: reads.append(_n) or _m(*a, **k)
        )
    hits = Searcher(indexed, None).search("encoder batch model", limit=5)
    assert len({hit.citation.paper_id for hit in hits}) > 1
    assert reads == ["list"]  # a round trip per paper costs ~13 ms each on a MongoDB server


def test_a_filter_limits_both_retrievers(searcher: Searcher) -> None:
    only_palm = PaperFilter(paper_ids=["arxiv:2204.02311"])
    for mode in ("lexical", "dense", "hybrid"):
        hits = searcher.search("momentum encoder queue", filter=only_palm, mode=mode)  # type: ignore[arg-type]
        assert {hit.citation.paper_id for hit in hits} <= {"arxiv:2204.02311"}


def test_overlapping_passages_take_one_place(store: SqliteStore, use_model) -> None:
    store.put(overlapping_document())
    embed_missing(store, use_model)
    assert len(Searcher(store, use_model).search("pixel shuffle", limit=5)) == 1


def test_a_search_embeds_only_the_query(indexed: SqliteStore, use_model) -> None:
    recording = Recording(use_model)
    Searcher(indexed, recording).search("批归一化为什么要加上缩放？")
    passage_texts = {p.text for d in documents() for p in d.passages}
    assert recording.queries == ["批归一化为什么要加上缩放？"]
    assert not passage_texts & set(recording.documents)  # only pieces of the question


def test_without_an_embedder_hybrid_search_is_lexical(indexed: SqliteStore) -> None:
    searcher = Searcher(indexed, None)
    assert "6144" in top(searcher, "TPU chips")
    with pytest.raises(InputError, match="PAPERSHELF_EMBEDDER"):
        searcher.search("TPU chips", mode="dense")


def test_an_unknown_mode_is_refused(searcher: Searcher) -> None:
    with pytest.raises(InputError, match="hybrid, lexical, dense"):
        searcher.search("x", mode="semantic")  # type: ignore[arg-type]


def test_passages_without_vectors_are_still_found_lexically(store: SqliteStore, use_model) -> None:
    store.put(make_document("doc:late", ["a zebra crossing detector"]))
    assert "zebra" in top(Searcher(store, use_model), "zebra")


def test_an_unreachable_remote_embedder_leaves_the_lexical_hits(indexed: SqliteStore) -> None:
    from papershelf.embeddings.openai_compat import OpenAICompatEmbedder
    from tests.support.replay_server import closed_port_url

    down = OpenAICompatEmbedder(closed_port_url("/v1"), "bge-m3", timeout=2.0)
    searcher = Searcher(indexed, down)
    assert "6144" in top(searcher, "TPU chips")


PIXEL_PAPERS = {
    "arxiv:2504.00001": (
        "Pixel Shuffle for Efficient Vision Tokens",
        [
            "Pixel shuffle rearranges each 2x2 block of pixels into channels, so the image "
            "encoder emits four times fewer visual tokens per image.",
            "Per-pixel weights of the projection layer map the shuffled pixels to the language "
            "model's embedding space.",
            "Pixel values are normalised per channel before the vision encoder sees them.",
        ],
    ),
    "arxiv:2504.00002": (
        "Learning Pixel Weights for Image Compression",
        [
            "Each pixel receives a learned weight that tells the codec how much detail to keep.",
            "We rearrange pixels by importance and weight the loss per pixel.",
        ],
    ),
    "doc:00000000zhpx": (
        "小型视觉语言模型的结构",
        [
            "模型先把图像切成子图，视觉编码器提取特征。",
            "这些特征首先通过像素重排操作重新排列，再由多层感知机投影到语言模型的输入空间。",
        ],
    ),
}


def test_a_chinese_term_finds_the_chinese_passage_quoting_it(store: SqliteStore, use_model):
    # Regression: English passages matching loose translations of 像素重排 (pixels, weight) and
    # agreeing with the dense side outranked the one Chinese passage holding the exact term.
    for pid, (title, texts) in PIXEL_PAPERS.items():
        language = "zh" if pid.startswith("doc:") else "en"
        store.put(make_document(pid, texts, title=title, language=language))
    embed_missing(store, use_model)
    searcher = Searcher(store, use_model)
    for query in ("像素重排", "像素重排是什么？"):
        assert "像素重排" in top(searcher, query), query


def test_a_quoted_english_phrase_ranks_the_passage_holding_it_first(store: SqliteStore) -> None:
    texts = ["the batch is normal and small", "batch normalization speeds up training"]
    store.put(make_document("doc:000000000001", texts))
    hits = Searcher(store, None).search('"batch normalization"', mode="lexical")
    assert [h.passage.text for h in hits][:1] == [texts[1]]


def test_a_question_naming_a_paper_finds_the_answer_that_does_not_repeat_the_name(
    store: SqliteStore,
) -> None:
    # The eval set's ecapa-03: the translated question words ('loss function', 'training') meet
    # another paper's passage more often than the answer, which names neither the model nor
    # the loss as the question does.
    for document in documents():
        store.put(document)
    store.put(
        make_document(
            "arxiv:2005.07143",
            [
                "We propose a TDNN-based architecture for speaker verification.",
                "All systems are trained using AAM-softmax with a margin of 0.2 and a scale of 30.",
            ],
            title="ECAPA-TDNN: Emphasized Channel Attention in TDNN Based Speaker Verification",
        )
    )
    store.put(
        make_document(
            "arxiv:2002.05709",
            [
                "Training minimises a contrastive loss function with a margin; the loss function "
                "is trained end to end.",
            ],
            title="A Simple Framework for Contrastive Learning of Visual Representations",
        )
    )
    question = "ECAPA-TDNN 训练时用的是什么损失函数和 margin？"
    blind = Searcher(store, None, FusionSettings(title_weight=0))
    assert "contrastive" in top(blind, question, mode="lexical")
    assert "AAM-softmax" in top(Searcher(store, None), question, mode="lexical")


def test_a_question_in_traditional_chinese_finds_what_the_simplified_one_finds(
    searcher: Searcher,
) -> None:
    simplified = "批归一化为什么要加上可学习的缩放和平移？"
    traditional = "批歸一化為什麼要加上可學習的縮放和平移？"
    for mode in ("hybrid", "lexical", "dense"):
        found = [hit.passage.id for hit in searcher.search(simplified, limit=5, mode=mode)]
        assert [hit.passage.id for hit in searcher.search(traditional, limit=5, mode=mode)] == found


def test_a_passage_in_traditional_chinese_is_found_by_a_simplified_question(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:en", ["Training takes two days on eight GPUs."]))
    store.put(make_document("doc:hant", ["新版本的訓練數據集由圖像描述和文檔問答組成。"]))
    embed_missing(store, use_model)
    searcher = Searcher(store, use_model)
    for question in ("训练数据集由哪些部分组成？", "Which datasets make up the training data?"):
        assert searcher.search(question, limit=1)[0].citation.paper_id == "doc:hant"


def test_a_question_in_taiwan_wording_finds_the_mainland_words_of_a_chinese_text(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:zh", ["该软件在视频数据上训练，内存占用小。"]))
    store.put(make_document("doc:other", ["人工标注的资料用于训练，显存占用较大。"]))
    embed_missing(store, use_model)
    searcher = Searcher(store, use_model)
    question = "這套軟體用哪些影片資料訓練？記憶體佔用多少？"  # 软件, 视频, 数据, 内存 in Taiwan
    for mode in ("lexical", "hybrid"):
        assert searcher.search(question, limit=1, mode=mode)[0].citation.paper_id == "doc:zh"


def test_a_text_written_in_taiwan_is_found_by_a_question_in_the_mainland_s_words(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:tw", ["這套軟體用影片資料訓練，記憶體佔用很小。"]))
    store.put(make_document("doc:other", ["人工标注的资料用于训练，显存占用较大。"]))
    embed_missing(store, use_model)
    searcher = Searcher(store, use_model)
    question = "这个软件用哪些视频数据训练？内存占用多少？"
    for mode in ("lexical", "hybrid"):
        assert searcher.search(question, limit=1, mode=mode)[0].citation.paper_id == "doc:tw"
