from papershelf.core.models import Document, Paper, Passage
from papershelf.storage import sqlite_search
from papershelf.storage.sqlite import SqliteStore


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


def test_scoring_only_rare_term_passages_keeps_their_exact_bm25(tmp_path, monkeypatch):
    store = SqliteStore(tmp_path / "store.db")
    for number in range(40):
        extra = " giraffe" if number % 10 == 0 else ""
        store.put(document(number, f"model training results{extra} number {number}"))
    terms = ["giraffe", "model", "training"]
    exact = [(p.text, round(s, 6)) for p, s in store.search_lexical(terms, limit=4)]
    monkeypatch.setattr(sqlite_search, "MIN_BUDGET", 5)
    monkeypatch.setattr(sqlite_search, "BUDGET_SHARE", 0.0)
    two_stage = [(p.text, round(s, 6)) for p, s in store.search_lexical(terms, limit=4)]
    assert two_stage == exact
    store.close()
