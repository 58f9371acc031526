"""Index and query analysis: what terms English, numbers and Chinese turn into."""

from hypothesis import given
from hypothesis import strategies as st

from papershelf.core.textindex import ANALYZER_VERSION, index_stored_text, index_text, query_terms


def test_the_analyser_version_changes_with_its_output() -> None:
    # Stores rebuild their index when ANALYZER_VERSION changes; if this fails, bump the version
    # along with the expected output.
    probe = "Ｑwen2.5-VL reaches 81.6% e.g. café; 像素洗牌 圖"
    taiwan = "軟體用影片訓練"
    assert (ANALYZER_VERSION, index_text(probe), index_stored_text(taiwan)) == (
        4,
        "qwen2.5 vl reaches 81.6 e g café 像素 素洗 洗牌 像 素 洗 牌 图",
        "软体 体用 用影 影片 片训 训练 软 体 用 影 片 训 练 软件 软 件 视频 视 频",
    )


def test_index_text_lowercases_and_folds_full_width_characters() -> None:
    assert index_text("ＳｍｏｌＶＬＭ Pixel Shuffle") == "smolvlm pixel shuffle"


def test_decimals_and_versions_stay_whole_while_sentence_dots_split() -> None:
    assert index_text("It reaches 81.6%, e.g. with Qwen2.5 v1.5. End.") == (
        "it reaches 81.6 e g with qwen2.5 v1.5 end"
    )


def test_punctuation_and_hyphens_separate_words() -> None:
    assert index_text("SmolVLM-256M (a 'tiny' model)") == "smolvlm 256m a tiny model"


def test_chinese_runs_become_bigrams_and_characters() -> None:
    assert index_text("像素洗牌") == "像素 素洗 洗牌 像 素 洗 牌"


def test_a_single_chinese_character_is_indexed_once() -> None:
    assert index_text("图 3") == "图 3"


def test_chinese_and_latin_split_where_the_script_changes() -> None:
    assert index_text("SmolVLM模型2亿参数") == "smolvlm 模型 模 型 2 亿参 参数 亿 参 数"


def test_query_terms_of_chinese_are_bigrams() -> None:
    assert query_terms("像素洗牌") == ["像素", "素洗", "洗牌"]
    assert query_terms("视觉") == ["视觉"]


def test_a_one_character_query_is_that_character() -> None:
    assert query_terms("像") == ["像"]


def test_english_stopwords_are_dropped() -> None:
    assert query_terms("What is the pixel shuffle of SmolVLM?") == ["pixel", "shuffle", "smolvlm"]


def test_chinese_question_words_are_dropped() -> None:
    assert query_terms("SmolVLM有哪些技术优势?") == ["smolvlm", "技术", "术优", "优势"]


def test_the_particle_de_splits_words_but_common_words_containing_it_survive() -> None:
    assert query_terms("模型的性能") == ["模型", "性能"]
    assert query_terms("研究的目的") == ["研究", "目的"]


def test_repeated_terms_appear_once() -> None:
    assert query_terms("shuffle Shuffle SHUFFLE 像素 像素") == ["shuffle", "像素"]


def test_a_query_of_only_stopwords_keeps_them() -> None:
    assert query_terms("what is the") == ["what", "is", "the"]
    assert query_terms("的") == ["的"]


def test_a_query_without_words_has_no_terms() -> None:
    assert query_terms("") == []
    assert query_terms(' " * - ( ) : ') == []


def test_query_syntax_characters_never_reach_the_terms() -> None:
    assert query_terms('"pixel" AND shuffle* NEAR(a b) -x') == [
        "pixel",
        "shuffle",
        "near",
        "b",
        "x",
    ]


@given(st.text(alphabet=st.sampled_from("像素洗牌的模型目 a1.b9-"), max_size=30))
def test_every_query_term_is_indexed_for_the_same_text(text: str) -> None:
    indexed = set(index_text(text).split())
    assert set(query_terms(text)) <= indexed


@given(st.text(max_size=200))
def test_any_text_analyses_without_error(text: str) -> None:
    indexed = index_text(text)
    assert indexed == " ".join(indexed.split())
    assert all(term.strip() == term and term for term in query_terms(text))
