import pytest

from papershelf.ingest.categories import (
    ARXIV_CATEGORY_NAMES,
    FALLBACK_AREA,
    arxiv_category_name,
    categorize,
)

VISION_TEXT = (
    "We train a convolutional network for object detection and segmentation of images. "
    "Each image is split into pixel patches; video frames are handled like images."
)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("cs.CV", "Computer Vision"),
        ("cs.CL", "Computation and Language"),
        ("cs.LG", "Machine Learning"),
        ("stat.ML", "Machine Learning"),
        ("eess.AS", "Audio and Speech Processing"),
        ("hep-th", "High Energy Physics - Theory"),
        ("quant-ph", "Quantum Physics"),
        ("cond-mat.mtrl-sci", "Materials Science"),
        ("q-bio.NC", "Neurons and Cognition"),
        ("math.OC", "Optimization and Control"),
    ],
)
def test_arxiv_codes_have_readable_names(code, name):
    assert arxiv_category_name(code) == name


def test_the_common_archives_are_covered():
    archives = {code.split(".")[0] for code in ARXIV_CATEGORY_NAMES}

    assert {"cs", "math", "stat", "eess", "econ", "q-bio", "q-fin", "physics"} <= archives
    assert {"astro-ph", "cond-mat", "hep-th", "hep-ph", "gr-qc", "quant-ph", "nlin"} <= archives


def test_an_unknown_subject_of_a_known_archive_gets_the_archives_name():
    assert arxiv_category_name("cs.ZZ") == "Computer Science"


def test_arxiv_categories_are_named_in_order_without_duplicates():
    categories = categorize(arxiv_categories=["cs.CV", "cs.LG", "stat.ML", "cs.CL"])

    assert categories == ["Computer Vision", "Machine Learning", "Computation and Language"]


def test_acm_and_msc_classes_beside_arxiv_categories_are_left_out():
    assert categorize(arxiv_categories=["cs.CL", "I.2.7", "68T50"]) == ["Computation and Language"]


def test_names_already_readable_are_kept():
    assert categorize(arxiv_categories=["Computer Vision", " NLP "]) == ["Computer Vision", "NLP"]


def test_arxiv_categories_win_over_the_text():
    assert categorize(arxiv_categories=["hep-th"], text=VISION_TEXT) == [
        "High Energy Physics - Theory"
    ]


def test_without_arxiv_categories_the_text_decides():
    assert categorize(text=VISION_TEXT)[0] == "Computer Vision"


def test_chinese_text_is_categorized_too():
    text = "本文研究语音识别：声学模型把音频转成文字，说话人不同也能识别。语音合成则相反。"

    assert categorize(text=text)[0] == "Speech and Audio"


def test_keywords_count_more_than_a_passing_word():
    text = "A short note that mentions an image once."

    categories = categorize(text=text, keywords=["reinforcement learning", "reward shaping"])

    assert categories[0] == "Reinforcement Learning"


def test_never_more_than_limit():
    text = "speech audio speaker. robot grasping navigation. database sql transaction. " * 3

    assert len(categorize(text=text)) == 3
    assert len(categorize(text=text, limit=2)) == 2


def test_a_paper_with_no_indicative_term_still_gets_a_category():
    assert categorize(text="Lorem ipsum dolor sit amet.") == [FALLBACK_AREA]


def test_nothing_given_gives_nothing():
    assert categorize() == []


@pytest.mark.corpus
def test_smolvlm_paper_is_vision_and_multimodal(corpus):
    text = (corpus / "docs" / "smolvlm-paper.txt").read_text(encoding="utf-8")

    categories = categorize(text=text)

    assert {"Computer Vision", "Multimodal Learning", "Efficient Machine Learning"} <= set(
        categories
    )


@pytest.mark.corpus
def test_chinese_stereo_article_is_computer_vision(corpus):
    text = (corpus / "docs" / "fast-foundationstereo-zh.md").read_text(encoding="utf-8")

    assert "Computer Vision" in categorize(text=text)
