import pytest

from papershelf.ingest.headings import find_headings, looks_like_heading


def outline(text: str, emphasized=None) -> list[tuple[str | None, str, int]]:
    return [(h.number, h.title, h.level) for h in find_headings(text, emphasized)]


PAPER = """Abstract
We study things.

1 Introduction
Text about the problem.

2 Method
We do this.

2.1 Learned Tokens vs. String
More detail.

2.1.1 A Deeper Point
Even more.

3 Results
7 GB
Numbers here.

References
[1] Someone. A paper. 2020.
"""


def test_numbered_headings_are_found_with_levels_from_their_depth():
    assert outline(PAPER) == [
        (None, "Abstract", 1),
        ("1", "Introduction", 1),
        ("2", "Method", 1),
        ("2.1", "Learned Tokens vs. String", 2),
        ("2.1.1", "A Deeper Point", 3),
        ("3", "Results", 1),
        (None, "References", 1),
    ]


def test_each_heading_points_at_its_line():
    text = PAPER
    for heading in find_headings(text):
        assert text.startswith(heading.number or heading.title, heading.char_start)


def test_a_number_that_breaks_the_sequence_is_not_a_heading():
    titles = [title for _, title, _ in outline(PAPER)]
    assert "GB" not in titles


def test_trailing_dots_after_numbers_are_accepted():
    text = "1. Introduction\nText.\n3.1. Contrastive Learning as Dictionary Look-up\nText.\n2. Related Work\nText.\n"
    assert outline(text)[:2] == [("1", "Introduction", 1), ("2", "Related Work", 1)]


def test_roman_numbered_sections_with_lettered_subsections():
    text = (
        "Abstract\nWe detect.\n\nI. INTRODUCTION\nZero shot learning is hard.\n\n"
        "II. RELATED WORK\nA. Object Detection and Proposal\nText.\nB. Zero Shot Recognition\nText.\n\n"
        "III. METHODOLOGY\nA. Problem Definition\nText.\n\nVII. We used this loss here.\n"
    )
    assert outline(text) == [
        (None, "Abstract", 1),
        ("I", "INTRODUCTION", 1),
        ("II", "RELATED WORK", 1),
        ("A", "Object Detection and Proposal", 2),
        ("B", "Zero Shot Recognition", 2),
        ("III", "METHODOLOGY", 1),
        ("A", "Problem Definition", 2),
    ]


def test_appendix_sections_after_the_references_are_lettered():
    text = "1 Introduction\nx\n2 Method\nx\nReferences\n[1] A. Smith and B. Jones. Title.\nA Appendix\nx\nA.1 Proofs\nx\nB Extra Results\nx\n"
    assert outline(text)[-3:] == [
        ("A", "Appendix", 1),
        ("A.1", "Proofs", 2),
        ("B", "Extra Results", 1),
    ]


def test_a_reference_entry_starting_with_an_initial_is_not_an_appendix():
    text = (
        "1 Introduction\nx\n2 Method\nx\nReferences\nA. Tyagi, and A. Agrawal. Context encoders.\n"
    )
    assert ("A", "Tyagi, and A. Agrawal. Context encoders.", 1) not in outline(text)
    assert outline(text)[-1] == (None, "References", 1)


def test_chinese_headings_are_found():
    text = "摘要\n本文研究互信息。\n\n一、引言\n正文。\n\n（一）研究背景\n正文。\n\n二、方法\n正文。\n\n1.1 数据\n\n参考文献\n[1] 张三。\n"
    assert outline(text) == [
        (None, "摘要", 1),
        ("一", "引言", 1),
        ("一", "研究背景", 2),
        ("二", "方法", 1),
        (None, "参考文献", 1),
    ]


def test_arabic_numbered_chinese_headings_are_found():
    assert outline("1. 引言\n正文内容。\n2. 相关工作\n正文内容。\n2.1 数据集\n正文。\n") == [
        ("1", "引言", 1),
        ("2", "相关工作", 1),
        ("2.1", "数据集", 2),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "1 0.52 0.61 0.73",  # a table row
        "Figure 3. Results on the test set",  # a caption
        "Table 2: Ablations",
        "2 We train the model with a learning rate of 0.1 for ten epochs and then stop it.",  # prose
        "1 University of Somewhere, Department of Physics",  # an affiliation
        "3 x = y + 2",  # an equation
        "12 et al. showed this",
    ],
)
def test_lines_that_only_look_numbered_are_not_headings(line):
    assert not looks_like_heading(line)


def test_a_numbered_list_in_prose_does_not_become_sections():
    text = "1 Introduction\nWe list:\n1. We collect the data from many sources and clean it carefully.\n2. We train the model on it until it converges on the task.\n2 Method\nx\n"
    assert outline(text) == [("1", "Introduction", 1), ("2", "Method", 1)]


def test_a_table_of_contents_is_not_taken_for_the_sections():
    text = (
        "Contents\n1 Introduction 3\n2 Model Architecture 5\n3 Training 6\n\n"
        "1 Introduction\nBody.\n2 Model Architecture\nBody.\n3 Training\nBody.\n"
    )
    found = find_headings(text)
    assert [(h.number, h.title) for h in found] == [
        (None, "Contents"),
        ("1", "Introduction"),
        ("2", "Model Architecture"),
        ("3", "Training"),
    ]
    assert found[1].char_start == text.index("1 Introduction\nBody")


def test_emphasis_from_a_pdf_decides_between_equally_long_chains():
    text = "1 Apples Here\n2 Pears There\nbody\n1 Introduction\n2 Method\n"
    emphasized = {text.index("1 Introduction"), text.index("2 Method")}
    assert outline(text, emphasized) == [("1", "Introduction", 1), ("2", "Method", 1)]


def test_in_a_pdf_a_bare_section_word_needs_emphasis_unless_it_is_a_core_name():
    text = "Abstract\nx\nResults\nx\nReferences\nx\n"
    assert outline(text, emphasized=set()) == [(None, "Abstract", 1), (None, "References", 1)]
    assert outline(text)[1] == (None, "Results", 1)


@pytest.mark.corpus
def test_the_smolvlm_paper_text_gets_its_whole_outline(corpus):
    text = (corpus / "docs" / "smolvlm-paper.txt").read_text(encoding="utf-8")
    found = outline(text)
    assert [number for number, _, _ in found if number] == [
        "1", "2", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3", "3.4", "3.5",
        "4", "4.1", "4.2", "4.3", "4.4", "4.5", "5", "5.1", "5.2", "5.3", "5.4", "6",
    ]  # fmt: skip
    assert found[0] == (None, "Abstract", 1)
    assert found[-1] == (None, "References", 1)
    assert ("3.1", "Learned Tokens vs. String", 2) in found


def test_headings_in_traditional_chinese_are_found_with_their_own_titles():
    text = "引言\n\n這是正文，內容很多。\n\n第二節 方法\n\n方法的正文。\n\n參考文獻\n\n[1] 某某. 論文.\n"
    assert [h.title for h in find_headings(text)] == ["引言", "方法", "參考文獻"]
