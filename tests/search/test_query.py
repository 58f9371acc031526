"""Query analysis: what each retriever is given."""

import re

from papershelf.core.textindex import fold
from papershelf.search.query import analyse, compact, verbatim


def test_a_chinese_question_is_chinese_and_keeps_its_latin_names() -> None:
    query = analyse("SmolVLM有哪些技术优势?")
    assert query.language == "zh"
    assert query.latin_words == ["SmolVLM"]
    assert "smolvlm" in query.terms and "技术" in query.terms and "优势" in query.terms


def test_an_english_question_drops_stopwords_and_keeps_numbers_whole() -> None:
    query = analyse("What is the accuracy of v1.5 at 81.6%?")
    assert query.language == "en"
    assert {"accuracy", "v1.5", "81.6"} <= set(query.terms)
    assert "the" not in query.terms
    assert query.numbers == ["1.5", "81.6%"]


def test_a_quoted_phrase_becomes_a_phrase_term_and_leaves_the_dense_text_plain() -> None:
    query = analyse('how does "pixel shuffle" work')
    assert query.phrases == ["pixel shuffle"]
    assert "pixel shuffle" in query.terms
    assert query.text == "how does pixel shuffle work"


def test_chinese_quotes_mark_phrases_too() -> None:
    assert analyse("什么是「像素重排」").phrases == ["像素重排"]


def test_a_query_of_punctuation_has_no_terms() -> None:
    assert analyse("?!").terms == []


def test_verbatim_coverage_is_the_share_of_the_chinese_words_a_text_quotes():
    whole = verbatim(analyse("像素重排是什么？"))
    assert whole.coverage("这些特征首先通过像素重排操作重新排列") == 1.0
    assert whole.coverage("像 素 重 排") == 1.0  # PDF text scatters spaces through CJK
    assert whole.coverage("pixel shuffle") == 0.0
    long_question = verbatim(analyse("在 CIFAR-10 上训练上千层的残差网络时出现了什么问题？"))
    assert 0 < long_question.coverage("残差网络") < 0.5


def test_a_quoted_phrase_counts_as_fully_quoted():
    assert verbatim(analyse('what does "Batch Norm" do')).coverage("the batch  norm layer") == 1.0
    assert verbatim(analyse("what does batch norm do")).coverage("the batch norm layer") == 0.0


def test_a_passage_without_a_quoted_latin_phrase_quotes_none_of_the_question():
    # The question has no Chinese run to quote: nothing to divide by (a ZeroDivisionError).
    assert verbatim(analyse('"batch normalization"')).coverage("the batch is normal") == 0.0


def test_compact_drops_exactly_what_regex_whitespace_matches() -> None:
    every_character = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    spaces = {c for c in every_character if re.fullmatch(r"\s", c)}
    assert {c for c in every_character if c.isspace()} == spaces
    text = "批 归\u3000一化\u00a0 Top - 5\n\t0 . 5\u2028ｘ"
    assert compact(text) == re.sub(r"\s+", "", fold(text))


def test_a_question_in_taiwan_wording_is_also_asked_in_the_mainland_words() -> None:
    query = analyse("這套軟體用哪些影片訓練？")
    assert {"软件", "视频"} <= set(query.terms)  # the mainland words a simplified text uses
    assert {"软体", "影片"} <= set(query.terms)  # and its own, for a text written in Taiwan
    assert query.text == "这套软体用哪些影片训练？"  # the dense side and quotes: as written


def test_words_wrong_in_technical_writing_are_not_carried() -> None:
    # OpenCC pairs 指標 with 指针 (a pointer) and 向量 with 矢量: both sides write 指标 for a
    # metric and 向量 for a vector in machine learning.
    assert analyse("評估指標與詞向量").terms == analyse("评估指标与词向量").terms
    assert analyse("序列模型的查詢").terms == analyse("序列模型的查询").terms


def test_japanese_is_not_read_as_taiwan_wording() -> None:
    assert "内存" not in analyse("ソフトウェアの記憶體").terms


def test_a_simplified_question_keeps_its_words() -> None:
    # 影片 is 'film' on the mainland and 'video' in Taiwan: only a question in traditional
    # script is read as Taiwan's wording.
    query = analyse("这部影片的数据集有多大？")
    assert "影片" in query.terms and "视频" not in query.terms
    assert query.text == "这部影片的数据集有多大？"


def test_a_question_with_odd_characters_is_analysed_as_written() -> None:
    for question in ("\udcff軟體的效能", "影片\x00記憶體用量"):
        query = analyse(question)
        assert query.language == "zh" and query.text.startswith(("\udcff软体", "影片\x00"))


def test_a_passage_in_taiwan_wording_is_quoted_in_either_wording() -> None:
    passage = "這套軟體用影片資料訓練，記憶體佔用很小。"
    for question in ("這套軟體用影片資料訓練嗎？", "这套软件用视频数据训练吗？"):
        assert verbatim(analyse(question)).coverage(passage) == 1.0
    assert verbatim(analyse("这套软件用视频数据训练吗？")).coverage("这套软体用影片资料训练") < 0.5


def test_a_question_in_taiwan_wording_with_latin_letters_asks_for_the_mainland_words() -> None:
    assert "注入" in analyse("SQL隱碼攻擊的防範").terms
    assert verbatim(analyse("「U盘的容量」")).coverage("隨身碟的容量很大") == 1.0
