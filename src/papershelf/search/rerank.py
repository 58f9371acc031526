"""Second look at the fused candidates: passages of the papers the candidates agree on rank higher,
bibliography passages lower. Both use only the candidates themselves (no extra store reads).

Most misses of the first ranking find the right paper but another of its passages, and a
reference list matches every topic word of a question without answering it.
"""

import re
from collections import defaultdict
from collections.abc import Sequence

from papershelf.core.models import Passage

# A heading that names a reference list, after its numbering ('7 References', 'REFERENCES').
_BIBLIOGRAPHY_HEADING = re.compile(
    r"^[\dIVXivx.\s]*(references|bibliography|works cited|literature cited|参考文献)\s*$",
    re.IGNORECASE,
)
# Marks of a bibliography entry; prose that cites '(Name et al., 2020)' rarely has them.
_BIBLIOGRAPHY_MARK = re.compile(
    r"arXiv preprint|arXiv:\d|\bIn Proc|\bProc\.|\bpages \d+\s*[–-]|\bpp\. ?\d|\bvol\. ?\d"
    r"|Conference on|Transactions on|Journal of|\bdoi:|Advances in Neural"
    r"|\b(?:NeurIPS|CVPR|ICCV|ECCV|ICLR|ICML)\b"
)
# Marks per 100 words from which a passage reads as a reference list: on ../shared/corpus this
# flags 293 of the 357 passages under a References heading and 58 of the 1,963 others (mostly
# reference lists the parser filed under the previous heading).
BIBLIOGRAPHY_DENSITY = 1.5
# How many of a paper's best candidates make up its score.
PAPER_DEPTH = 3


def is_bibliography(passage: Passage) -> bool:
    heading = passage.section.rsplit(" > ", 1)[-1]
    if _BIBLIOGRAPHY_HEADING.match(heading):
        return True
    words = len(passage.text.split())
    marks = len(_BIBLIOGRAPHY_MARK.findall(passage.text))
    return words > 0 and marks * 100 / words >= BIBLIOGRAPHY_DENSITY


def rerank(
    ranked: Sequence[tuple[Passage, float]],
    *,
    paper_weight: float,
    bibliography_weight: float,
) -> list[tuple[Passage, float]]:
    """Scale each candidate's score by its paper's share of the candidates (the sum of the paper's
    best PAPER_DEPTH scores over the best paper's) and by bibliography_weight for a reference
    list; best first, ties kept in their first order."""
    if not ranked:
        return []
    by_paper: dict[str, list[float]] = defaultdict(list)
    for passage, score in ranked:
        if len(by_paper[passage.paper_id]) < PAPER_DEPTH:
            by_paper[passage.paper_id].append(score)
    paper_score = {paper: sum(scores) for paper, scores in by_paper.items()}
    best = max(paper_score.values()) or 1.0
    rescored = []
    for passage, score in ranked:
        factor = 1.0 + paper_weight * paper_score[passage.paper_id] / best
        if bibliography_weight != 1.0 and is_bibliography(passage):
            factor *= bibliography_weight
        rescored.append((passage, score * factor))
    return sorted(rescored, key=lambda item: -item[1])
