"""Stored text written in Taiwan's wording, indexed and matched in the mainland's words too."""

from papershelf.core import regional_words
from papershelf.core.textindex import fold, fold_stored, index_stored_text, index_text

TAIWAN_TEXT = "這套軟體用影片資料訓練，記憶體佔用很小。"  # 软件, 视频, 数据, 内存 in Taiwan


def test_a_stored_text_in_taiwan_wording_is_also_indexed_in_the_mainland_words() -> None:
    tokens = index_stored_text(TAIWAN_TEXT).split()
    assert {"软件", "视频", "数据", "内存"} <= set(tokens)  # what a simplified question asks
    assert {"软体", "影片", "资料"} <= set(tokens)  # and its own words, for a Taiwan question
    assert tokens[: len(index_text(TAIWAN_TEXT).split())] == index_text(TAIWAN_TEXT).split()


def test_a_stored_simplified_text_keeps_its_words() -> None:
    # 影片 is 'film' to a mainland writer: only text in traditional script is read as Taiwan's.
    text = "这部影片的软体动物数据"
    assert index_stored_text(text) == index_text(text)
    assert fold_stored(text) == fold(text)


def test_japanese_is_not_read_as_taiwan_wording() -> None:
    text = "ソフトウェアの記憶體"
    assert index_stored_text(text) == index_text(text)
    assert fold_stored(text) == fold(text)


def test_matching_sees_the_text_in_both_wordings_each_whole() -> None:
    folded = fold_stored(TAIWAN_TEXT)
    own, mainland = folded.split("\n。")
    assert own == fold(TAIWAN_TEXT) == "这套软体用影片资料训练,记忆体占用很小。"
    assert mainland == "这套软件用视频数据训练,内存占用很小。"


def test_a_word_the_mainland_writes_alike_is_not_written_twice() -> None:
    # OpenCC's table pairs 台積電 with itself.
    assert regional_words.mainland_words(fold("台積電")) == []
    assert fold_stored("台積電") == fold("台積電")


def test_technical_words_both_sides_write_are_left_as_they_are() -> None:
    # OpenCC pairs 向量 with 矢量 and 指標 with 指针 (a pointer); scripts/taiwan_words.py leaves
    # them out.
    text = "詞向量與評估指標"
    assert fold_stored(text) == fold(text)
    assert index_stored_text(text) == index_text(text)


def test_a_simplified_text_with_a_few_traditional_characters_keeps_its_words() -> None:
    # 於 is folded although simplified text writes it (a surname); a quoted title from Taiwan.
    for text in (
        "於梨华的影片在电脑上播放。",
        "这部影片讲述了一个软件工程师的故事，参见台湾出版的《軟體工程》一书，影片在电脑上播放。",
    ):
        assert fold_stored(text) == fold(text)
        assert index_stored_text(text) == index_text(text)


def test_words_with_latin_letters_are_read_as_the_text_is_folded() -> None:
    # The table writes SQL隱碼攻擊 and U盘; stored text is lower-cased before it is read.
    assert "注入" in index_stored_text("SQL隱碼攻擊").split()
    assert "u盘" in fold_stored("隨身碟的容量很大")
