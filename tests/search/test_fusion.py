"""Fusing ranked lists."""

import pytest

from papershelf.search.fusion import Ranked, fuse, reciprocal_rank, weighted_scores


def test_an_item_both_lists_rank_well_beats_the_top_of_one_list() -> None:
    lexical = Ranked([("a", 9.0), ("b", 5.0), ("c", 1.0)])
    dense = Ranked([("d", 0.9), ("b", 0.8), ("e", 0.1)])
    assert reciprocal_rank([lexical, dense])[0][0] == "b"


def test_a_heavier_list_wins_ties() -> None:
    lexical = Ranked([("a", 1.0)], weight=1.0)
    dense = Ranked([("b", 1.0)], weight=0.3)
    assert [key for key, _ in reciprocal_rank([lexical, dense])] == ["a", "b"]


def test_rank_fusion_ignores_the_scale_of_scores() -> None:
    small = [Ranked([("a", 0.02), ("b", 0.01)]), Ranked([("b", 0.9), ("a", 0.8)])]
    large = [Ranked([("a", 2000.0), ("b", 1.0)]), Ranked([("b", 0.9), ("a", 0.8)])]
    assert reciprocal_rank(small) == reciprocal_rank(large)


def test_weighted_fusion_keeps_how_far_ahead_the_best_is() -> None:
    lexical = Ranked([("a", 10.0), ("b", 9.9), ("c", 0.0)])
    dense = Ranked([("c", 0.9), ("b", 0.1), ("a", 0.0)])
    fused = dict(weighted_scores([lexical, dense]))
    assert fused["a"] == pytest.approx(1.0)
    assert fused["b"] == pytest.approx(0.99 + 0.1 / 0.9)
    assert fused["c"] == pytest.approx(1.0)


def test_a_list_of_equal_scores_counts_fully() -> None:
    assert weighted_scores([Ranked([("a", 3.0), ("b", 3.0)])]) == [("a", 1.0), ("b", 1.0)]


def test_empty_lists_fuse_to_nothing() -> None:
    assert fuse([Ranked([]), Ranked([])], "rrf") == []
    assert fuse([Ranked([])], "weighted") == []
