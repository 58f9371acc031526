import pytest

from papershelf.core.models import Passage
from papershelf.search.concepts import concepts
from papershelf.search.query import analyse, verbatim
from papershelf.search.rerank import is_bibliography, rerank


def passage(paper_id: str, ordinal: int, text: str, section: str = "2 Method") -> Passage:
    return Passage(
        paper_id=paper_id,
        ordinal=ordinal,
        section=section,
        char_start=ordinal * 100,
        char_end=ordinal * 100 + len(text),
        text=text,
        tokens=len(text) // 4,
    )


def test_a_passage_under_a_references_heading_is_bibliography():
    assert is_bibliography(passage("p", 0, "He, K. Deep residual learning.", "7 REFERENCES"))
    assert is_bibliography(passage("p", 0, "何恺明. 深度残差学习.", "参考文献"))
    assert is_bibliography(passage("p", 0, "何愷明. 深度殘差學習.", "5 參考文獻"))


def test_a_reference_list_filed_under_another_heading_is_recognised_by_its_entries():
    text = (
        "Kaiming He and Jian Sun. Deep residual learning. In Proceedings of the IEEE Conference on "
        "Computer Vision and Pattern Recognition (CVPR), pages 770-778, 2016. Sergey Ioffe. Batch "
        "normalization. arXiv preprint arXiv:1502.03167, 2015."
    )
    assert is_bibliography(passage("p", 0, text, "6 Conclusion"))


def test_prose_that_cites_papers_is_not_bibliography():
    text = "Following He et al. (2016), we add identity shortcuts to every block of the network."
    assert not is_bibliography(passage("p", 0, text))


def test_a_passage_rewritten_under_the_same_id_is_judged_by_its_new_text():
    # The verdict is remembered across queries; a re-ingested passage must not reuse the old one.
    references = "Deep learning. In Proc. CVPR, pages 1-9. arXiv preprint arXiv:1512.03385."
    prose = "We train the network for ninety epochs with a batch size of two hundred."
    assert is_bibliography(passage("p", 3, references, "6 Conclusion"))
    assert not is_bibliography(passage("p", 3, prose, "6 Conclusion"))
    assert is_bibliography(passage("p", 3, prose, "6 Conclusion > References"))


def test_a_reference_list_falls_below_an_equally_scored_answer():
    answer = passage("a", 0, "The learning rate starts at 0.1 and is divided by 10.")
    references = passage("b", 1, "anything", "References")
    ranked = rerank([(references, 1.0), (answer, 1.0)], paper_weight=0, bibliography_weight=0.5)
    assert [p.paper_id for p, _ in ranked] == ["a", "b"]


def test_passages_of_the_paper_the_candidates_agree_on_move_up():
    lone = passage("lone", 0, "one good match")
    agreed = [passage("agreed", i, f"match {i}") for i in range(3)]
    candidates = [(lone, 1.0), (agreed[0], 0.9), (agreed[1], 0.8), (agreed[2], 0.7)]
    ranked = rerank(candidates, paper_weight=0.5, bibliography_weight=1.0)
    assert ranked[0][0].paper_id == "agreed"


def test_a_passage_quoting_most_of_the_question_moves_up():
    quoting = passage("doc:zh", 0, "特征通过像素重排操作重新排列")
    loose = passage("arxiv:en", 0, "Pixels are rearranged into channels.")
    ranked = [(loose, 1.0), (quoting, 0.8)]
    question = verbatim(analyse("像素重排"))
    assert rerank(ranked, paper_weight=0, bibliography_weight=1)[0][0] is loose
    moved = rerank(
        ranked, paper_weight=0, bibliography_weight=1, verbatim=question, verbatim_weight=2.0
    )
    assert [p for p, _ in moved] == [quoting, loose]
    assert moved[0][1] == 1.6


def test_quoting_a_small_part_of_a_long_question_is_not_boosted():
    question = verbatim(analyse("在 CIFAR-10 上训练上千层的残差网络时出现了什么问题？"))
    text = passage("doc:zh", 0, "残差网络更容易优化")
    assert (
        rerank(
            [(text, 1.0)],
            paper_weight=0,
            bibliography_weight=1,
            verbatim=question,
            verbatim_weight=2.0,
        )[0][1]
        == 1.0
    )


ECAPA_TITLE = "ECAPA-TDNN: Emphasized Channel Attention in TDNN Based Speaker Verification"
MOCO_TITLE = "Momentum Contrast for Unsupervised Visual Representation Learning"


def by_titles(ranked, question: str, titles: dict[str, str], weight: float = 1.0, translated=()):
    """The candidates re-ranked by their titles and concepts alone."""
    return rerank(
        ranked,
        paper_weight=0,
        bibliography_weight=1,
        concepts=concepts(analyse(question), translated),
        titles=titles,
        title_weight=weight,
    )


def test_passages_of_the_paper_whose_title_the_question_names_move_up():
    # The answer does not repeat the paper's name; a passage of another paper holds more of the
    # question's other words.
    answer = passage("ecapa", 3, "All systems are trained using AAM-softmax with a margin of 0.2.")
    other = passage("moco", 2, "The contrastive loss is trained with a margin over the queue.")
    question = "Which loss and margin is ECAPA-TDNN trained with?"
    titles = {"ecapa": ECAPA_TITLE, "moco": MOCO_TITLE}
    ranked = [(other, 1.0), (answer, 0.8)]
    plain = by_titles(ranked, question, titles, weight=0)
    assert [p for p, _ in plain] == [other, answer]
    named = by_titles(ranked, question, titles)
    assert [p for p, _ in named] == [answer, other]
    # 'ecapa' and 'tdnn' of the concepts {loss, margin, ecapa, tdnn, trained}: 0.8 x (1 + 2/5)
    assert named[0][1] == 0.8 * (1 + 2 / 5)
    assert named[1][1] == 1.0


def test_a_concept_every_title_holds_lifts_all_papers_alike():
    first = passage("a", 0, "Residual blocks ease optimisation of deep networks.")
    second = passage("b", 0, "Dense blocks reuse features across deep networks.")
    titles = {"a": "Deep Residual Networks", "b": "Deep Densely Connected Networks"}
    ranked = by_titles([(first, 1.0), (second, 0.9)], "How do deep networks train?", titles)
    assert [p for p, _ in ranked] == [first, second]
    assert ranked[0][1] / 1.0 == pytest.approx(ranked[1][1] / 0.9)
    assert ranked[0][1] > 1.0


def test_a_chinese_word_counts_in_a_title_by_its_own_spelling_only():
    # The question's 像素重排 is translated to 'pixel shuffle' for the English passages, but only
    # a title that spells it lifts its paper: the English title holds a looser rendering.
    english = passage("arxiv:en", 0, "Pixels are rearranged into channels.")
    chinese = passage("doc:zh", 0, "特征先经过重新排列，再投影到语言模型。")
    named = by_titles(
        [(english, 1.0), (chinese, 0.9)],
        "像素重排是什么？",
        {"arxiv:en": "Pixel Shuffle for Efficient Vision Tokens", "doc:zh": "像素重排详解"},
        translated=[("像素重排", [("pixel", "shuffle")])],
    )
    assert [p for p, _ in named] == [chinese, english]
    assert named[0][1] == 0.9 * 2 and named[1][1] == 1.0
