import pytest

from papershelf.core.models import Document, Paper, Passage
from papershelf.storage import sqlite_search
from papershelf.storage.sqlite import SqliteStore
from papershelf.storage.sqlite_vectors import read_version


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
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    two_stage = store.search_lexical(terms, limit=4)
    assert [p.text for p, _ in two_stage] == [p.text for p, _ in exact]
    # 'model' and 'training' are in every passage: left out, each moved a score by 2.2e-6 at most.
    assert [s for _, s in two_stage] == pytest.approx(
        [s for _, s in exact], abs=2 * WEIGHTLESS_TERM_AT_MOST
    )
    # Without them, `giraffe AND zebra` / `giraffe NOT zebra` give exactly the unsplit scores.
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 10**6)
    unsplit = store.search_lexical(["giraffe", "zebra"], limit=4)
    assert [(p.text, s) for p, s in two_stage] == [(p.text, s) for p, s in unsplit]
    store.close()


def test_a_word_that_matches_nothing_does_not_hide_the_others(tmp_path, monkeypatch):
    """A misspelt word is the rarest of all; were it the only rare term, the candidates would be
    the passages holding it: none."""
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " model" if number % 3 == 0 else ""  # 14 of 40: over the budget, and it weighs
        store.put(document(number, f"results{extra} number {number}"))
    found = store.search_lexical(["modle", "model"], limit=5)
    assert [p.text for p, _ in found] == [p.text for p, _ in store.search_lexical(["model"], 5)]
    assert len(found) == 5
    store.close()


@pytest.mark.parametrize(("passages", "weightless", "weighs"), [(40, 20, 19), (41, 21, 20)])
def test_a_term_is_left_out_from_half_the_passages_on(
    tmp_path, monkeypatch, passages, weightless, weighs
):
    """bm25's IDF log((N - n + 0.5) / (n + 0.5)) is clamped from n >= N / 2: at N = 40, n = 20 is
    left out and n = 19 kept; at N = 41, n = 21 and n = 20."""
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(passages):
        words = ["results"]
        words += ["okapi"] if number < 3 else []
        words += ["half"] if number < weightless else []
        words += ["under"] if passages - number <= weighs else []
        store.put(document(number, " ".join(words) + f" number {number}"))
    rare, common = sqlite_search._split_by_frequency(
        store._connection(), ["okapi", "half", "under"]
    )
    assert (rare, common) == (["okapi"], ["under"])
    store.close()


def scoring_matches(store: SqliteStore, terms: list[str], limit: int) -> list[str]:
    """The MATCH strings of the bm25 queries that one lexical search runs."""
    executed: list[str] = []
    store._connection().set_trace_callback(executed.append)
    store.search_lexical(terms, limit=limit)
    store._connection().set_trace_callback(None)
    return [sql for sql in executed if "bm25(" in sql]


def test_terms_in_half_the_passages_are_not_scored_next_to_rare_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " giraffe" if number % 10 == 0 else ""
        extra += " training" if number % 3 == 0 else ""  # 14 of 40: common, but it weighs
        store.put(document(number, f"model results{extra} number {number}"))
    terms = ["giraffe", "model", "training"]
    scoring = scoring_matches(store, terms, limit=4)
    assert scoring and all('"training"' in sql for sql in scoring)
    assert not any('"model"' in sql for sql in scoring)
    ranked = [p.text for p, _ in store.search_lexical(terms, limit=4)]
    assert ranked[:2] == [
        "model results giraffe training number 0",
        "model results giraffe training number 30",
    ]
    assert len(ranked) == 4  # every giraffe passage, and nothing holding only the other words
    # With no rare term there is nothing to rank against: every term is scored.
    assert any('"model"' in sql for sql in scoring_matches(store, ["model", "training"], 4))
    store.close()


def test_probed_frequencies_follow_writes(tmp_path, monkeypatch):
    """The probe cache is keyed by the store's data version: once a word turns common, passages
    holding only common words are scored again, as in a store that never probed it."""
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " giraffe" if number % 10 == 0 else ""
        store.put(document(number, f"model training results{extra} number {number}"))
    terms = ["giraffe", "model", "training"]
    assert len(store.search_lexical(terms, limit=100)) == 4  # giraffe is rare: only its passages
    for number in range(40, 50):
        store.put(document(number, f"giraffe zebra {number}"))
    after = [(p.text, s) for p, s in store.search_lexical(terms, limit=100)]
    store.close()
    sqlite_search.forget_probes()
    fresh = SqliteStore(tmp_path / "store.db")
    assert after == [(p.text, s) for p, s in fresh.search_lexical(terms, limit=100)]
    assert len(after) == 50  # giraffe is common now: every passage is scored
    fresh.close()


def test_probes_of_two_stores_do_not_mix(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    rare, common = SqliteStore(tmp_path / "a.db"), SqliteStore(tmp_path / "b.db")
    for number in range(20):
        rare.put(document(number, f"model number {number}" + (" okapi" if number < 2 else "")))
        common.put(document(number, f"model okapi number {number}"))
    assert len(rare.search_lexical(["okapi", "model"], limit=100)) == 2
    assert len(common.search_lexical(["okapi", "model"], limit=100)) == 20
    rare.close()
    common.close()


def test_rebuilding_the_index_retires_its_probes(tmp_path):
    store = SqliteStore(tmp_path / "store.db")
    store.put(document(1, "model training"))
    conn = store._connection()
    before = read_version(conn)
    store.reindex()
    assert read_version(conn) != before
    store.close()
