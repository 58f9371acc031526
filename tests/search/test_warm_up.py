"""Searcher.warm_up: one English and one Chinese search ahead of the first question, which load
what a first search loads; a failure is logged, never raised."""

import logging

import numpy as np
import pytest

from papershelf.search.hybrid import WARM_UP_QUESTIONS, Searcher
from papershelf.search.indexing import embed_missing
from papershelf.storage.sqlite import SqliteStore
from tests.search.conftest import Recording
from tests.search.test_chinese_renderings import CHINESE, ENGLISH
from tests.storage.contract import make_document


def test_warming_up_searches_both_questions_and_renders_english_words(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:zh", CHINESE))
    store.put(make_document("doc:en", ENGLISH))
    embed_missing(store, use_model)
    recording = Recording(use_model)
    seconds = Searcher(store, recording).warm_up()
    assert seconds > 0
    assert recording.queries == list(WARM_UP_QUESTIONS)
    # The English question's words were carried over to the library's Chinese words ('trained'
    # to 训练): the dictionary was read backwards and the candidates embedded.
    assert "训练" in recording.documents


def test_a_library_with_no_chinese_text_warms_up_without_renderings(
    store: SqliteStore, use_model
) -> None:
    store.put(make_document("doc:en", ENGLISH))
    embed_missing(store, use_model)
    recording = Recording(use_model)
    Searcher(store, recording).warm_up()
    assert recording.queries == list(WARM_UP_QUESTIONS)
    assert all(not any("\u4e00" <= c <= "\u9fff" for c in text) for text in recording.documents)


class Broken:
    model_id = "broken-1"
    dimensions = 8

    def embed_documents(self, texts):
        raise RuntimeError("the model file is damaged")

    def embed_query(self, text: str) -> np.ndarray:
        raise RuntimeError("the model file is damaged")


def test_a_failing_warm_up_is_logged_not_raised(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.put(make_document("doc:en", ENGLISH))
    with caplog.at_level(logging.WARNING, logger="papershelf.search.hybrid"):
        assert Searcher(store, Broken()).warm_up() >= 0
    assert "the model file is damaged" in caplog.text
