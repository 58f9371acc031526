import pytest

from papershelf.ingest.pdf_front import appears_in, keywords_of, plausible_authors, plausible_title
from papershelf.ingest.pdf_text import Dehyphenator, clean_line


@pytest.mark.parametrize(
    "title",
    [
        "Microsoft Word - final_draft.docx",
        "untitled",
        "main.tex",
        "paper_v3_camera_ready",
        "LaTeX with hyperref package",
        "™áo\x08Mutual Information\t - gatherstars - Z¢í",
        "2501.09898",
        "",
    ],
)
def test_junk_title_metadata_is_not_plausible(title):
    assert not plausible_title(title, "2501.09898.pdf")


def test_a_real_title_in_metadata_is_plausible():
    assert plausible_title("Deep Residual Learning for Image Recognition", "resnet.pdf")
    assert plausible_title("互信息与深度学习的关系", "zh.pdf")


def test_author_metadata_is_split_into_names_and_junk_is_dropped():
    assert plausible_authors("Y. Lecun;L. Bottou;Y. Bengio") == [
        "Y. Lecun",
        "L. Bottou",
        "Y. Bengio",
    ]
    assert plausible_authors("Kaiming He, Xiangyu Zhang and Jian Sun") == [
        "Kaiming He",
        "Xiangyu Zhang",
        "Jian Sun",
    ]
    assert plausible_authors("Administrator") == []


def test_titles_match_despite_case_punctuation_and_extra_words():
    assert appears_in("VERY DEEP CONVOLUTIONAL NETWORKS", "Very Deep Convolutional Networks (VGG)")
    assert not appears_in("Zero Shot Detection", "Momentum Contrast for Unsupervised Learning")


def test_keywords_and_index_terms_are_read():
    assert keywords_of(
        "Abstract\n\nText.\n\nIndex Terms—Zero-shot learning, object detection."
    ) == [
        "Zero-shot learning",
        "object detection",
    ]


def test_ligatures_and_control_characters_are_cleaned_from_a_line():
    assert clean_line("the ﬁrst\x01 ﬂow  of   oﬃce staﬀ") == "the first flow of office staff"


def test_old_tex_accents_are_put_back_on_their_letters():
    assert clean_line("Universit ´ e de Montr ´ eal") == "Université de Montréal"


def test_hyphen_marks_are_resolved_using_the_documents_own_words():
    dehyphenator = Dehyphenator([])
    dehyphenator.words = {"pre-training", "example"}
    assert (
        dehyphenator.repair_marked("an exam\ufffeple of pre\ufffetraining")
        == "an example of pre-training"
    )
    assert dehyphenator.repair_marked("soft\u00adhyphen") == "softhyphen"
    assert dehyphenator.join("state-of-the", "art") == "state-of-the-art"
    assert dehyphenator.join("repre", "sentation") == "representation"
