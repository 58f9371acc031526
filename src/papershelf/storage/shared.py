"""Rules every backend applies the same way: what a storable document is, how author names are
matched, and which query terms are rare enough to select the candidates of lexical search."""

from papershelf.core.errors import StoreError
from papershelf.core.models import Document
from papershelf.core.textindex import fold

# How many passage matches the rare terms may have together: this share of the library's
# passages, and at least MIN_BUDGET (libraries that small are scored whole, in one query). At 10^4
# passages a floor of 2,000 instead of 5,000 kept the same top 5 for the 114 eval questions of the
# time (0.992 of the top 10) and took a lexical search from 7.7 to 5.7 ms; the eval library (2,320
# passages) ranks the same.
BUDGET_SHARE = 0.2
MIN_BUDGET = 2_000


def check_passages_belong(document: Document) -> None:
    """StoreError when a passage names another paper than the document's."""
    paper = document.paper
    strangers = {p.paper_id for p in document.passages if p.paper_id != paper.id}
    if strangers:
        raise StoreError(
            f"cannot store {paper.id}: it has passages of {', '.join(sorted(strangers))}; "
            "give every passage the paper's id"
        )


def fold_author(name: str) -> str:
    """An author name or filter as the author filter compares them: folded as the index folds
    text (width, case, traditional script), so 張 finds 张 and ＬＩ finds Li."""
    return fold(name).casefold()


def folded_author_names(authors: list[str]) -> str:
    """The haystack of the author filter: one folded name per line. Stores rebuild it with their
    index when the analyser changes, since the folding table is part of the analyser."""
    return "\n".join(fold_author(author) for author in authors)


def rare_terms(frequency: dict[str, int], budget: int) -> list[str]:
    """Rarest terms first while the passages they match stay within the budget; none when they
    match nothing (a misspelt word is the rarest of all, and would leave no candidate)."""
    rare: list[str] = []
    spent = 0
    for term in sorted(frequency, key=frequency.__getitem__):
        if spent + frequency[term] > budget:
            break
        rare.append(term)
        spent += frequency[term]
    return rare if spent else []


def scored_and_candidate_terms(
    frequency: dict[str, int], passages: int
) -> tuple[list[str], list[str]]:
    """The terms bm25 adds up, in order, and those whose passages are the candidates.

    When the rarest terms stay within the budget and others do not, only passages holding a rare
    term are candidates (what is lost holds common terms only, which bm25 ranks below every
    rare-term match sharing them), and a common term in at least half the passages is not scored:
    bm25's IDF, log((N - n + 0.5) / (n + 0.5)), is clamped to 1e-6 there, so it moves no score
    that matters. Otherwise every term is scored and a candidate.
    """
    budget = max(MIN_BUDGET, int(BUDGET_SHARE * passages))
    rare = rare_terms(frequency, budget)
    if not rare or len(rare) == len(frequency):
        return list(frequency), list(frequency)
    common = [term for term in frequency if term not in rare and 2 * frequency[term] < passages]
    return rare + common, rare
