"""Second look at the fused candidates: passages of the papers the candidates agree on, of papers
whose title names what the question asks about and passages quoting the question verbatim rank
higher, bibliography passages lower. All use only the candidates and their papers' titles.

Most misses of the first ranking find the right paper but another of its passages, and a
reference list matches every topic word of a question without answering it.
"""

import heapq
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache

from papershelf.core.chinese_script import to_simplified
from papershelf.core.models import Passage
from papershelf.search.concepts import Concepts
from papershelf.search.query import Verbatim

# A heading that names a reference list, after its numbering ('7 References', 'REFERENCES').
_BIBLIOGRAPHY_HEADING = re.compile(
    r"^[\dIVXivx.\s]*(references|bibliography|works cited|literature cited|参考文献)\s*$",
    re.IGNORECASE,
)
# Marks of a bibliography entry; prose that cites '(Name et al., 2020)' rarely has them. The
# lookahead lists the marks' first letters, so the scan skips most positions at once (4x faster).
_BIBLIOGRAPHY_MARK = re.compile(
    r"(?=[aIPpvCTJdANE])(?:arXiv preprint|arXiv:\d|\bIn Proc|\bProc\.|\bpages \d+\s*[–-]|\bpp\. ?\d|\bvol\. ?\d"
    r"|Conference on|Transactions on|Journal of|\bdoi:|Advances in Neural"
    r"|\b(?:NeurIPS|CVPR|ICCV|ECCV|ICLR|ICML)\b)"
)
# Marks per 100 words from which a passage reads as a reference list: on ../shared/corpus this
# flags 293 of the 357 passages under a References heading and 58 of the 1,963 others (mostly
# reference lists the parser filed under the previous heading).
BIBLIOGRAPHY_DENSITY = 1.5
# Share of a question's Chinese words a passage must quote verbatim to be boosted: quoting a
# piece of a long question is common (a translation of the paper shares its terms) and says little.
VERBATIM_COVERAGE = 0.5
# How many of a paper's best candidates make up its score.
PAPER_DEPTH = 3
# Part of the concept factor given by the concepts held close together (in the passage's best two
# adjacent sentences) rather than anywhere in it. Measured in docs/retrieval-notes.md §11: 0.5
# ties 0.3 on dev R@5 with a higher R@1; 0.7 loses three dev questions.
NEARBY_SHARE = 0.5


def is_bibliography(passage: Passage) -> bool:
    return _reads_as_bibliography(passage.section, passage.text)


# Every query rescans its ~50 candidates, and candidates recur across queries: the scan was a
# fifth of a lexical search_papers call.
@lru_cache(maxsize=8192)
def _reads_as_bibliography(section: str, text: str) -> bool:
    heading = to_simplified(section.rsplit(" > ", 1)[-1])
    if _BIBLIOGRAPHY_HEADING.match(heading):
        return True
    words = len(text.split())
    marks = len(_BIBLIOGRAPHY_MARK.findall(text))
    return words > 0 and marks * 100 / words >= BIBLIOGRAPHY_DENSITY


def rerank(
    ranked: Sequence[tuple[Passage, float]],
    *,
    paper_weight: float,
    bibliography_weight: float,
    verbatim: Verbatim | None = None,
    verbatim_weight: float = 1.0,
    concepts: Concepts | None = None,
    concept_weight: float = 0.0,
    exact_depth: int | None = None,
    titles: Mapping[str, str] | None = None,
    title_weight: float = 0.0,
) -> list[tuple[Passage, float]]:
    """Scale each candidate's score by its paper's share of the candidates (the sum of the paper's
    best PAPER_DEPTH scores over the best paper's), by 1 + title_weight x the share of the
    question's concepts its paper's title (`titles`, by paper id) holds, by bibliography_weight
    for a reference list, by up to verbatim_weight for a passage quoting most of the question
    and by 1 + concept_weight x the share of the question's concepts it holds (`with_concepts`);
    best first, ties kept in their first order. With `exact_depth`, only that many first places are
    sure to be scored exactly (see `with_concepts`)."""
    if not ranked:
        return []
    by_paper: dict[str, list[float]] = defaultdict(list)
    for passage, score in ranked:
        if len(by_paper[passage.paper_id]) < PAPER_DEPTH:
            by_paper[passage.paper_id].append(score)
    paper_score = {paper: sum(scores) for paper, scores in by_paper.items()}
    best = max(paper_score.values()) or 1.0
    named = _title_factors(by_paper, titles, concepts, title_weight)
    rescored = []
    for passage, score in ranked:
        factor = 1.0 + paper_weight * paper_score[passage.paper_id] / best
        factor *= named.get(passage.paper_id, 1.0)
        if bibliography_weight != 1.0 and is_bibliography(passage):
            factor *= bibliography_weight
        if verbatim is not None and verbatim_weight != 1.0:
            covered = verbatim.coverage(passage.text)
            if covered >= VERBATIM_COVERAGE:
                factor *= 1.0 + (verbatim_weight - 1.0) * covered
        rescored.append((passage, score * factor))
    if concepts is not None and concept_weight:
        rescored = with_concepts(rescored, concepts, concept_weight, exact_depth)
    return sorted(rescored, key=lambda item: -item[1])


def _title_factors(
    papers: Mapping[str, object],
    titles: Mapping[str, str] | None,
    concepts: Concepts | None,
    weight: float,
) -> dict[str, float]:
    """1 + weight x the share of the question's concepts each paper's title holds: a question that
    names a paper ('ECAPA-TDNN', 'LeNet-5') or its topic is most likely about it, while the
    passage answering it often does not repeat the name. A concept every candidate paper's title
    holds lifts them all alike."""
    if not (titles and concepts is not None and concepts.items and weight):
        return {}
    factors = {}
    for paper_id in papers:
        title = titles.get(paper_id, "")
        held = len(concepts.held(title, translated=False)) if title else 0
        factors[paper_id] = 1.0 + weight * held / len(concepts.items)
    return factors


def with_concepts(
    scored: list[tuple[Passage, float]],
    concepts: Concepts,
    weight: float,
    exact_depth: int | None = None,
) -> list[tuple[Passage, float]]:
    """Each score times 1 + weight x the share of the question's concepts the passage holds,
    blended (NEARBY_SHARE) with the share its best window of adjacent sentences holds: held
    close together, they more likely answer the question.

    The window share costs twice the plain one and is never above it, so the plain share bounds
    each final score from above. Candidates are finished best bound first until `exact_depth`
    finished scores beat every bound left; the rest keep their lowest possible score (window
    share 0), which cannot reach those first places. The bounds hold for scores and weights that
    are not negative (as fused and BM25 scores are); with any other, every candidate is finished."""
    if weight < 0 or any(score < 0 for _, score in scored):
        exact_depth = None
    anywhere = [concepts.coverage(passage.text) for passage, _ in scored]
    final = [
        score * (1 + weight * (1 - NEARBY_SHARE) * share)
        for (_, score), share in zip(scored, anywhere, strict=True)
    ]
    bound = [
        score * (1 + weight * share) for (_, score), share in zip(scored, anywhere, strict=True)
    ]
    finished: list[float] = []  # a min-heap of the best `exact_depth` finished scores
    for i in sorted(range(len(scored)), key=lambda i: -bound[i]):
        enough = exact_depth is not None and len(finished) >= exact_depth
        if enough and (not finished or bound[i] < finished[0]):
            break
        if anywhere[i]:
            passage, score = scored[i]
            nearby = concepts.nearby_coverage(passage.text)
            final[i] = score * (
                1 + weight * ((1 - NEARBY_SHARE) * anywhere[i] + NEARBY_SHARE * nearby)
            )
        if exact_depth is not None:
            if len(finished) < exact_depth:
                heapq.heappush(finished, final[i])
            else:
                heapq.heappushpop(finished, final[i])
    return [(passage, score) for (passage, _), score in zip(scored, final, strict=True)]
