"""Query terms are tokenized as FTS5 tokenizes them, many at once, and kept a while."""

import sqlite3

import pytest

from papershelf.storage import bm25_analysis
from papershelf.storage.sqlite_fts import CREATE_FTS, FTS_TABLE

TERMS = [
    "pre-training",
    "ZeRO-3",
    "batch normalization",
    "批归 归一",
    "0.5",
    "!!",
    "Top-5 accuracy",
]


def tokenized_by_fts5(term: str) -> tuple[str, ...]:
    """The term through a fresh FTS5 table of the store's own definition, alone."""
    conn = sqlite3.connect(":memory:")
    conn.execute(CREATE_FTS)
    conn.execute(f"CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, {FTS_TABLE}, 'instance')")
    conn.execute(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (1, ?)", (term,))
    return tuple(row[0] for row in conn.execute("SELECT term FROM temp.v ORDER BY offset"))


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25_analysis, "_term_tokens", type(bm25_analysis._term_tokens)())


def test_terms_tokenized_together_are_tokenized_as_alone() -> None:
    assert bm25_analysis.terms_tokens(TERMS) == [tokenized_by_fts5(term) for term in TERMS]
    assert bm25_analysis.terms_tokens(["!!"]) == [()]


def test_known_and_new_terms_mix_and_repeat() -> None:
    bm25_analysis.terms_tokens(TERMS[:3])
    asked = [TERMS[4], TERMS[0], TERMS[4], TERMS[6], TERMS[1]]
    assert bm25_analysis.terms_tokens(asked) == [tokenized_by_fts5(term) for term in asked]


def test_the_terms_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25_analysis, "TERMS_KEPT", 2)
    bm25_analysis.terms_tokens(TERMS[:2])
    bm25_analysis.terms_tokens(TERMS[:1])  # pre-training is now the more recent one
    bm25_analysis.terms_tokens(TERMS[2:3])
    assert list(bm25_analysis._term_tokens) == [TERMS[0], TERMS[2]]


def test_query_phrases_keep_the_searchable_terms_in_order() -> None:
    phrases = bm25_analysis.query_phrases(["pre-training", " !! ", "pre-training ", "0.5"])
    assert phrases == [(term, tokenized_by_fts5(term)) for term in ("pre-training", "0.5")]
    assert phrases[0][1] == ("pre", "train")  # FTS5's porter stemmer, as the index holds it
