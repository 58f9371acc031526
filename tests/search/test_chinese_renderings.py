"""An English question's words carried over to the Chinese words of a library's Chinese texts:
the bilingual dictionary read backwards, the real embedder choosing."""

import pytest

from papershelf.search.chinese_renderings import (
    CANDIDATES_PER_WORD,
    ChineseRenderings,
    bigrams,
    chinese_terms,
    question_runs,
)
from papershelf.search.dictionary import Dictionary, load_dictionary, parse_cedict
from papershelf.search.hybrid import FusionSettings, Searcher
from papershelf.search.indexing import embed_missing
from papershelf.search.query import analyse
from papershelf.storage.sqlite import SqliteStore
from tests.search.conftest import Recording
from tests.storage.contract import make_document

LINES = [
    "縮放 缩放 [suo1 fang4] /scaling/resizing/zoom (graphics)/",
    "和平 和平 [he2 ping2] /peace/peaceful/",
    "隨機 随机 [sui2 ji1] /according to the situation/pragmatic/random/",
    "參數 参数 [can1 shu4] /parameter/",
    "有志者事竟成 有志者事竟成 [you3 zhi4 zhe3 shi4 jing4 cheng2] /where there's a will, there's a way/",
]
CHINESE = [
    "新版本的训练数据集由三部分组成：图像描述、文档问答和数学手写识别。",
    "我们在推理阶段使用更少的显存。",
    "模型结构沿用了上一代的设计。",
]
ENGLISH = [
    "The release notes list the model sizes and the licence.",
    "Vision language models describe images in text.",
    "Training takes two days on eight GPUs.",
]
QUESTION = "Which datasets make up the training mixture of the new release?"


def library(store: SqliteStore, model) -> SqliteStore:
    store.put(make_document("doc:zh", CHINESE, title="更小的视觉语言模型"))
    store.put(make_document("doc:en", ENGLISH, title="Small Vision Language Models"))
    embed_missing(store, model)
    return store


def test_english_words_find_the_headwords_whose_leading_senses_they_are() -> None:
    words = Dictionary(parse_cedict(LINES), {"随机": ["random", "stochastic"]})
    assert words.chinese(["scaling"]) == ["缩放"]
    assert words.chinese(["parameters"]) == ["参数"]  # by the stem, as concepts match
    assert words.chinese(["peaceful"]) == ["和平"]  # the second sense word still leads
    assert words.chinese(["situation"]) == []  # a glossary term's own forms replace its senses
    assert words.chinese(["stochastic"]) == ["随机"]
    assert words.chinese(["way"]) == []  # sayings of five characters and more are left out


def test_headwords_led_by_the_word_come_first_then_shorter_ones() -> None:
    lines = [
        "訓練營 训练营 [xun4 lian4 ying2] /training camp/",
        "操練 操练 [cao1 lian4] /drill/practice/training/",
        "訓練 训练 [xun4 lian4] /to train/to drill/",
        "集訓 集训 [ji2 xun4] /to train together/",
    ]
    words = Dictionary(parse_cedict(lines), {})
    assert words.chinese(["training"]) == ["训练", "集训", "训练营"]  # 操练's third sense: no
    assert words.chinese(["drill"]) == ["操练", "训练"]


def test_idioms_and_headwords_holding_latin_letters_render_no_word() -> None:
    lines = [
        "一石二鳥 一石二鸟 [yi1 shi2 er4 niao3] /lit. one stone, two birds (idiom); to kill two "
        "birds with one stone/",
        "AA制 AA制 [A A zhi4] /to split the bill/",
        "分攤 分摊 [fen1 tan1] /to split (the cost)/to share/",
    ]
    words = Dictionary(parse_cedict(lines), {})
    assert words.chinese(["stone"]) == []
    assert words.chinese(["split"]) == ["分摊"]


def test_glossary_terms_of_several_words_are_found_from_runs_and_hyphenated_words() -> None:
    terms = {"零样本": ["zero-shot"], "批归一化": ["batch normalization"]}
    words = Dictionary(parse_cedict(LINES), terms)
    assert words.chinese(["zero", "shot"]) == words.chinese(["Zero-shot"]) == ["零样本"]
    assert words.chinese(["batch", "normalizing"]) == ["批归一化"]
    assert words.chinese(["batch"]) == words.chinese(["normalization", "batch"]) == []
    runs = question_runs(analyse("Why does zero-shot batch normalization help?"))
    assert ("zero", "shot") in runs and ("batch", "normalization") in runs
    assert all(len(run) <= 3 for run in runs)


def test_an_english_question_gets_the_chinese_words_its_library_holds(
    store: SqliteStore, use_model
) -> None:
    renderings = ChineseRenderings(library(store, use_model), use_model, load_dictionary)
    found = dict(renderings.translations(analyse(QUESTION)))
    assert found["数据集"] == [("datasets",)]
    assert found["训练"] == [("training",)]
    assert all(set(bigrams(word)) <= store.indexed_tokens(bigrams(word)) for word in found)
    assert "数据" in chinese_terms(list(found.items()))


def test_an_english_question_finds_the_chinese_passage_that_answers_it(
    store: SqliteStore, use_model
) -> None:
    library(store, use_model)
    for mode in ("hybrid", "lexical"):
        before = Searcher(store, use_model, FusionSettings(to_chinese=False))
        assert before.search(QUESTION, mode=mode)[0].passage.text != CHINESE[0]
        assert Searcher(store, use_model).search(QUESTION, mode=mode)[0].passage.text == CHINESE[0]


def test_a_library_with_no_chinese_text_reads_and_embeds_nothing_more(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:en", ENGLISH))
    recording = Recording(use_model)
    renderings = ChineseRenderings(store, recording, load_dictionary)
    assert renderings.translations(analyse(QUESTION)) == []
    assert recording.documents == []


def test_a_chinese_question_is_not_rendered(store: SqliteStore, use_model) -> None:
    renderings = ChineseRenderings(library(store, use_model), use_model, load_dictionary)
    assert renderings.translations(analyse("训练数据集由哪些部分组成？")) == []


def test_words_met_again_are_not_embedded_again(store: SqliteStore, use_model) -> None:
    library(store, use_model)
    recording = Recording(use_model)
    renderings = ChineseRenderings(store, recording, load_dictionary)
    first = renderings.translations(analyse(QUESTION))
    embedded = len(recording.documents)
    assert embedded and renderings.translations(analyse(QUESTION)) == first
    assert len(recording.documents) == embedded


@pytest.mark.parametrize("terms, expected", [({"数据集": ["dataset"]}, ["数据集"]), ({}, [])])
def test_with_no_embedder_only_glossary_terms_render_words(
    store: SqliteStore, terms: dict[str, list[str]], expected: list[str]
) -> None:
    store.put(make_document("doc:zh", CHINESE))
    words = Dictionary(parse_cedict(["數據集 数据集 [shu4 ju4 ji2] /data set/dataset/"]), terms)
    renderings = ChineseRenderings(store, None, lambda: words)
    found = renderings.translations(analyse("Which datasets were used?"))
    assert [chinese for chinese, _ in found] == expected


def test_the_embedder_chooses_among_the_library_s_words_for_a_word(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:train", ["我们坐火车去北京开会，火车很快。"]))
    renderings = ChineseRenderings(library(store, use_model), use_model, load_dictionary)
    found = [
        chinese
        for chinese, runs in renderings.translations(analyse(QUESTION))
        if ("training",) in runs
    ]
    assert "训练" in found and "火车" not in found  # both held; only 训练 is close to 'training'


def test_the_embedder_weighs_a_bounded_number_of_candidates_per_word(store: SqliteStore, use_model):
    heads = [chr(0x4E00 + 2 * i) + chr(0x4E01 + 2 * i) for i in range(CANDIDATES_PER_WORD + 6)]
    lines = [f"{head} {head} [x] /widget/" for head in heads]
    store.put(make_document("doc:zh", ["的".join(heads) + "。"]))
    recording = Recording(use_model)
    renderings = ChineseRenderings(store, recording, lambda: Dictionary(parse_cedict(lines), {}))
    renderings.translations(analyse("widget"))
    assert recording.documents[0] == "widget"
    assert recording.documents[1:] == heads[:CANDIDATES_PER_WORD]


def test_with_no_embedder_an_english_question_finds_a_chinese_passage_by_glossary_terms(
    store: SqliteStore,
) -> None:
    store.put(make_document("doc:zh", CHINESE, title="更小的视觉语言模型"))
    store.put(make_document("doc:en", ENGLISH, title="Small Vision Language Models"))
    question = "Which dataset was used?"
    before = Searcher(store, None, FusionSettings(to_chinese=False)).search(question)
    assert all(hit.passage.text != CHINESE[0] for hit in before)
    assert Searcher(store, None).search(question)[0].passage.text == CHINESE[0]


def test_an_english_question_finds_the_chinese_passage_in_mongodb(mongo_store, use_model) -> None:
    library(mongo_store, use_model)
    assert Searcher(mongo_store, use_model).search(QUESTION)[0].passage.text == CHINESE[0]
