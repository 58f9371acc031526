"""Lexical search of the SQLite store over its in-memory postings: the same results and scores as
FTS5's bm25, the rare-term rule both stores share, and an index that follows every write."""

import sqlite3

import numpy as np
import pytest

from papershelf.core.models import Document, Paper, PaperFilter, Passage
from papershelf.core.textindex import query_terms
from papershelf.storage import shared, sqlite_held_index, sqlite_search
from papershelf.storage.sqlite import SqliteStore
from papershelf.storage.sqlite_fts import BM25, FTS_TABLE, match_expression
from papershelf.storage.sqlite_postings import read_postings_state
from papershelf.storage.sqlite_rows import filter_sql


def document(number: int, text: str) -> Document:
    paper_id = f"doc:{number:04d}"
    passage = Passage(
        paper_id=paper_id,
        ordinal=0,
        section="1 Text",
        char_start=0,
        char_end=len(text),
        text=text,
        tokens=len(text) // 4,
    )
    paper = Paper(id=paper_id, source="text", title=f"Paper {number}", content_sha256=paper_id)
    return Document(paper=paper, content=text, passages=[passage])


# bm25 adds at most idf x (k1 + 1) per term: 2.2e-6 for a term whose IDF is clamped to 1e-6.
WEIGHTLESS_TERM_AT_MOST = 1e-6 * 2.2


def test_scoring_only_rare_term_passages_keeps_their_bm25(tmp_path, monkeypatch):
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " giraffe" if number % 10 == 0 else ""
        extra += " zebra" if number % 4 == 0 else ""  # 10 of 40: common below, but it weighs
        store.put(document(number, f"model training results{extra} number {number}"))
    terms = ["giraffe", "zebra", "model", "training"]
    exact = store.search_lexical(terms, limit=4)
    monkeypatch.setattr(shared, "MIN_BUDGET", 5)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.0)
    two_stage = store.search_lexical(terms, limit=4)
    assert [p.text for p, _ in two_stage] == [p.text for p, _ in exact]
    # 'model' and 'training' are in every passage: left out, each moved a score by 2.2e-6 at most.
    assert [s for _, s in two_stage] == pytest.approx(
        [s for _, s in exact], abs=2 * WEIGHTLESS_TERM_AT_MOST
    )
    # Without them, `giraffe AND zebra` / `giraffe NOT zebra` give exactly the unsplit scores.
    monkeypatch.setattr(shared, "MIN_BUDGET", 10**6)
    unsplit = store.search_lexical(["giraffe", "zebra"], limit=4)
    assert [(p.text, s) for p, s in two_stage] == [(p.text, s) for p, s in unsplit]
    store.close()


def test_a_word_that_matches_nothing_does_not_hide_the_others(tmp_path, monkeypatch):
    """A misspelt word is the rarest of all; were it the only rare term, the candidates would be
    the passages holding it: none."""
    monkeypatch.setattr(shared, "MIN_BUDGET", 5)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " model" if number % 3 == 0 else ""  # 14 of 40: over the budget, and it weighs
        store.put(document(number, f"results{extra} number {number}"))
    found = store.search_lexical(["modle", "model"], limit=5)
    assert [p.text for p, _ in found] == [p.text for p, _ in store.search_lexical(["model"], 5)]
    assert len(found) == 5
    store.close()


def scores(store: SqliteStore, terms: list[str], limit: int = 100) -> list[tuple[str, float]]:
    return [(p.text, s) for p, s in store.search_lexical(terms, limit=limit)]


@pytest.mark.parametrize(("passages", "weightless", "weighs"), [(40, 20, 19), (41, 21, 20)])
def test_a_term_is_left_out_from_half_the_passages_on(
    tmp_path, monkeypatch, passages, weightless, weighs
):
    """bm25's IDF log((N - n + 0.5) / (n + 0.5)) is clamped from n >= N / 2: at N = 40, n = 20 is
    left out and n = 19 kept; at N = 41, n = 21 and n = 20."""
    monkeypatch.setattr(shared, "MIN_BUDGET", 5)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(passages):
        words = ["results"]
        words += ["okapi"] if number < 3 else []  # the okapi passages hold 'half' too
        words += ["half"] if number < weightless else []
        words += ["under"] if passages - number <= weighs else []
        store.put(document(number, " ".join(words) + f" number {number}"))
    assert shared.scored_and_candidate_terms(
        {"okapi": 3, "half": weightless, "under": weighs}, passages
    ) == (
        ["okapi", "under"],
        ["okapi"],
    )
    found = scores(store, ["okapi", "half", "under"])
    assert found == scores(store, ["okapi", "under"])
    # FTS5 scoring 'half' moves the okapi passages' scores, by about 1e-6.
    scored = [-rank for _, rank in fts5_ranking(store, ["okapi", "half", "under"], 3)]
    assert scored != [score for _, score in found]
    assert scored == pytest.approx([score for _, score in found], abs=WEIGHTLESS_TERM_AT_MOST)
    store.close()


def test_terms_in_half_the_passages_are_not_scored_next_to_rare_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "MIN_BUDGET", 5)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " giraffe" if number % 10 == 0 else ""
        extra += " training" if number % 3 == 0 else ""  # 14 of 40: common, but it weighs
        store.put(document(number, f"model results{extra} number {number}"))
    terms = ["giraffe", "model", "training"]
    ranked = scores(store, terms, limit=4)
    assert ranked == scores(store, ["giraffe", "training"], limit=4)
    assert [text for text, _ in ranked[:2]] == [
        "model results giraffe training number 0",
        "model results giraffe training number 30",
    ]
    assert len(ranked) == 4  # every giraffe passage, and nothing holding only the other words
    # With no rare term there is nothing to rank against: every term is scored, every passage found.
    assert len(scores(store, ["model", "training"])) == 40
    store.close()


def fts5_ranking(store: SqliteStore, terms: list[str], limit: int, where: str = "1", params=()):
    """What FTS5's own bm25 ranks for the OR of the terms: the reference."""
    return [
        (int(rowid), float(rank))
        for rowid, rank in store._connection().execute(
            f"SELECT {FTS_TABLE}.rowid, {BM25} AS r FROM {FTS_TABLE} "
            f"JOIN passages ps ON ps.id = {FTS_TABLE}.rowid JOIN papers pa ON pa.id = ps.paper_id "
            f"WHERE {FTS_TABLE} MATCH ? AND {where} ORDER BY r, {FTS_TABLE}.rowid LIMIT ?",
            (match_expression(terms), *params, limit),
        )
    ]


PARITY_TEXTS = [
    "Pre-training on image-text pairs, then fine-tuning: pre-training matters most.",
    "We study pre-training of vision-language models with 2.5 billion pairs.",
    "视觉语言模型的预训练需要大量图文对。pre-training data",
    "Token pruning keeps 81.6% accuracy; pruning tokens early saves memory.",
    "The training loss of the model falls; the model is then evaluated.",
    "Ablation: without pre-training the model loses 4.2 points.",
    "Appendix. Hyper-parameters of training and pre-training runs.",
    "混合精度训练 mixed-precision training halves memory.",
]


def parity_store(path) -> SqliteStore:
    store = SqliteStore(path)
    for number in range(24):
        text = PARITY_TEXTS[number % len(PARITY_TEXTS)] + f" Run {number}."
        paper = Paper(
            id=f"doc:{number:04d}",
            source="text",
            title="Pre-training study" if number % 5 == 0 else f"Paper {number}",
            content_sha256=f"doc:{number:04d}",
            published=f"{2020 + number % 4}-01-01",
        )
        passages = [
            Passage(
                paper_id=paper.id,
                ordinal=i,
                section="2 Pre-training" if i else "1 Introduction",
                char_start=0,
                char_end=len(text),
                text=text if i else f"Introduction of paper {number}.",
                tokens=len(text) // 4,
            )
            for i in range(2)
        ]
        store.put(Document(paper=paper, content=text, passages=passages))
    return store


QUERIES = [
    "pre-training pairs",
    "model training",
    "预训练 图文对",
    "81.6% token pruning",
    "mixed-precision memory",
    "hyper-parameters pre-training fine-tuning",
    "vision-language",
    "nothing-like-this",
]


def test_the_postings_rank_and_score_as_fts5_to_the_bit(tmp_path):
    """Phrases ('pre-training' is two tokens), title and heading weights, CJK, numbers: the same
    ranking and the same float scores as FTS5's bm25 (a library this small is never split)."""
    store = parity_store(tmp_path / "store.db")
    for query in QUERIES:
        terms = query_terms(query)
        expected = fts5_ranking(store, terms, 10)
        assert sqlite_search.ranked_ids(store._connection(), terms, 10) == expected, query
    assert fts5_ranking(store, query_terms("pre-training"), 100)  # phrases were really there
    store.close()


def test_a_filter_admits_the_same_passages_as_an_fts5_join(tmp_path):
    store = parity_store(tmp_path / "store.db")
    conn = store._connection()
    for filter in (
        PaperFilter(year_from=2022),
        PaperFilter(paper_ids=["doc:0003", "doc:0010"]),
        PaperFilter(paper_ids=["doc:9999"]),
    ):
        where, params = filter_sql(filter)
        for query in QUERIES[:4]:
            terms = query_terms(query)
            found = sqlite_search.ranked_ids(conn, terms, 10, where=where, params=params)
            assert found == fts5_ranking(store, terms, 10, where, params), (filter, query)
    store.close()


def held_index(store: SqliteStore):
    return sqlite_held_index._held[str(store.path)].index


def test_added_papers_are_read_alone_and_rank_as_a_fresh_index(tmp_path):
    store = parity_store(tmp_path / "store.db")
    terms = query_terms("pre-training model memory")
    store.search_lexical(terms)
    base = held_index(store).base
    for number in range(24, 30):
        store.put(document(number, f"pre-training memory of model {number}"))
    after = scores(store, terms)
    index = held_index(store)
    assert index.base is base and index.added is not None and len(index.added.keys) == 6
    sqlite_held_index.forget_indexes()
    assert scores(store, terms) == after  # the same as an index built from scratch
    assert held_index(store).added is None
    store.close()


def test_removed_and_replaced_papers_are_masked_and_rank_as_a_fresh_index(tmp_path):
    store = parity_store(tmp_path / "store.db")
    terms = query_terms("pre-training pairs")
    before = scores(store, terms)
    assert any("Run 0." in text for text, _ in before)
    base = held_index(store).base
    assert store.remove("doc:0000")
    store.put(document(3, "pre-training pairs replaced"))  # replaces doc:0003
    after = scores(store, terms)
    index = held_index(store)
    assert index.base is base and index.passages == 48 - 2 - 2 + 1
    assert not any("Run 0." in text or "Run 3." in text for text, _ in after)
    assert "pre-training pairs replaced" in [text for text, _ in after]
    store.put(document(40, "pre-training pairs added after"))  # no removal: the mask is kept
    after = scores(store, terms)
    assert held_index(store).base is base and held_index(store).passages == 46
    sqlite_held_index.forget_indexes()
    assert scores(store, terms) == after  # IDF and average length without the removed passages
    store.close()


def test_removing_a_quarter_of_the_library_reads_it_again(tmp_path):
    store = parity_store(tmp_path / "store.db")
    terms = query_terms("pre-training model")
    scores(store, terms)
    base = held_index(store).base
    for number in range(7):
        assert store.remove(f"doc:{number:04d}")
    after = scores(store, terms)
    assert held_index(store).base is not base and held_index(store).live is None
    sqlite_held_index.forget_indexes()
    assert scores(store, terms) == after
    store.close()


def test_two_stores_keep_their_own_index(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "MIN_BUDGET", 5)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.0)
    rare, common = SqliteStore(tmp_path / "a.db"), SqliteStore(tmp_path / "b.db")
    for number in range(20):
        rare.put(document(number, f"model number {number}" + (" okapi" if number < 2 else "")))
        common.put(document(number, f"model okapi number {number}"))
    assert len(rare.search_lexical(["okapi", "model"], limit=100)) == 2
    assert len(common.search_lexical(["okapi", "model"], limit=100)) == 20
    rare.close()
    common.close()


def test_rebuilding_the_index_moves_its_generation(tmp_path):
    store = SqliteStore(tmp_path / "store.db")
    store.put(document(1, "model training"))
    conn = store._connection()
    generation = read_postings_state(conn).generation
    found = scores(store, ["training"])
    base = held_index(store).base
    store.reindex()
    assert read_postings_state(conn).generation != generation
    assert scores(store, ["training"]) == found
    assert held_index(store).base is not base  # every row was rewritten: read again
    store.close()


def test_a_library_from_before_the_postings_gets_them_when_opened(tmp_path):
    path = tmp_path / "store.db"
    store = parity_store(path)
    expected = scores(store, query_terms("pre-training pairs"))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE passage_tokens")
    conn.execute("DROP TABLE index_tokens")
    conn.execute("DELETE FROM schema_migrations WHERE name = 'm004_passage_tokens'")
    conn.commit()
    conn.close()
    sqlite_held_index.forget_indexes()
    reopened = SqliteStore(path)
    assert scores(reopened, query_terms("pre-training pairs")) == expected
    (count,) = reopened._connection().execute("SELECT count(*) FROM passage_tokens").fetchone()
    assert count == 48
    applied = reopened._connection().execute("SELECT name FROM schema_migrations").fetchall()
    assert "m004_passage_tokens" in {row[0] for row in applied}
    reopened.close()


def test_the_column_weights_are_whole_numbers():
    """A phrase's count is recovered from its bm25 by rounding: weights must stay whole."""
    from papershelf.storage.sqlite_fts import BODY_WEIGHT, HEADING_WEIGHT, TITLE_WEIGHT

    assert all(float(w).is_integer() for w in (BODY_WEIGHT, TITLE_WEIGHT, HEADING_WEIGHT))
    assert np.rint(2.0000000001) == 2.0
