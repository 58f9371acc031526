"""Fusing ranked candidate lists (lexical, dense) into one ranking.

Two methods, both measured in docs/retrieval-notes.md: reciprocal-rank fusion, which needs no
score calibration, and a weighted sum of per-list normalised scores, which keeps how much better
the best candidate is than the rest.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

FusionMethod = Literal["rrf", "weighted"]

# The usual constant from Cormack et al. (2009): damps the head of each list so that agreement
# between lists counts more than one list's first place.
RRF_K = 60


@dataclass(frozen=True)
class Ranked:
    """One retriever's candidates, best first, with its weight in the fusion."""

    items: Sequence[tuple[Hashable, float]]  # (key, score), higher score is better
    weight: float = 1.0


def reciprocal_rank(lists: Sequence[Ranked], k: int = RRF_K) -> list[tuple[Hashable, float]]:
    """Sum over lists of weight / (k + rank); best first, ties broken by first appearance."""
    fused: dict[Hashable, float] = {}
    for ranked in lists:
        for rank, (key, _) in enumerate(ranked.items, start=1):
            fused[key] = fused.get(key, 0.0) + ranked.weight / (k + rank)
    return sorted(fused.items(), key=lambda item: -item[1])


def weighted_scores(lists: Sequence[Ranked]) -> list[tuple[Hashable, float]]:
    """Sum over lists of weight * min-max normalised score (0 for a list that missed the key)."""
    fused: dict[Hashable, float] = {}
    for ranked in lists:
        if not ranked.items:
            continue
        scores = [score for _, score in ranked.items]
        low, high = min(scores), max(scores)
        span = high - low
        for key, score in ranked.items:
            normalised = (score - low) / span if span > 0 else 1.0
            fused[key] = fused.get(key, 0.0) + ranked.weight * normalised
    return sorted(fused.items(), key=lambda item: -item[1])


def fuse(
    lists: Sequence[Ranked], method: FusionMethod = "rrf", k: int = RRF_K
) -> list[tuple[Hashable, float]]:
    if method == "rrf":
        return reciprocal_rank(lists, k)
    return weighted_scores(lists)
