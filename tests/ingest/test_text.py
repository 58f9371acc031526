import textwrap

import pytest

from papershelf.core.errors import InputError
from papershelf.ingest.text import TextParser, split_heading_number

ENGLISH_PARAGRAPH = (
    "Small vision language models are trained to run on phones and laptops with little "
    "memory, which changes how images are tokenised and how much context the language "
    "model must hold while it answers questions about documents, charts and short videos."
)
CHINESE_PARAGRAPH = (
    "小型视觉语言模型在端侧设备上以较少的内存完成推理，像素重排可以显著减少每张图像的视觉标记数量，"
    "较长的上下文窗口让模型能够处理更高分辨率的图像切片，训练数据混合了文档、图表、自然图像和短视频。"
)


def parse(text: str, name: str = "paper.txt", encoding: str = "utf-8"):
    return TextParser().parse(text.encode(encoding), name)


def wrapped(paragraph: str, width: int) -> str:
    return "\n".join(textwrap.wrap(paragraph, width))


def wrapped_chinese(paragraph: str, characters: int) -> str:
    return "\n".join(paragraph[i : i + characters] for i in range(0, len(paragraph), characters))


def test_hard_wrapped_english_paragraphs_are_joined():
    source = "\n\n".join(wrapped(ENGLISH_PARAGRAPH, 72) for _ in range(4))
    parsed = parse(source)
    assert parsed.kind == "text"
    assert parsed.text.split("\n\n") == [ENGLISH_PARAGRAPH] * 4


def test_hard_wrapped_chinese_is_joined_without_spaces():
    source = "\n\n".join(wrapped_chinese(CHINESE_PARAGRAPH, 36) for _ in range(4))
    parsed = parse(source)
    assert parsed.text.split("\n\n") == [CHINESE_PARAGRAPH] * 4
    assert parsed.language == "zh"


def test_a_numbered_heading_after_a_wrapped_paragraph_stays_on_its_own_line():
    body = wrapped(ENGLISH_PARAGRAPH, 72)
    source = f"1 Introduction\n{body}\n2 Related Work\n{body}\n\n{body}\n\n{body}"
    parsed = parse(source)
    assert "\n2 Related Work\n" in parsed.text
    assert [(h.number, h.title) for h in parsed.headings] == [
        ("1", "Introduction"),
        ("2", "Related Work"),
    ]


def test_a_short_last_line_ends_its_paragraph_even_without_a_blank_line():
    source = "\n".join(wrapped(ENGLISH_PARAGRAPH, 72) for _ in range(4))
    parsed = parse(source)
    assert parsed.text.split("\n") == [ENGLISH_PARAGRAPH] * 4


def test_unwrapped_lines_are_kept_as_they_are():
    source = "First paragraph on one long line. " * 8 + "\nShort line.\nAnother short line.\n"
    parsed = parse(source)
    assert parsed.text.split("\n") == [
        ("First paragraph on one long line. " * 8).strip(),
        "Short line.",
        "Another short line.",
    ]


def test_line_endings_and_blank_runs_are_normalised():
    parsed = parse("One.\r\n\r\n\r\n\r\nTwo.\rThree.  \n")
    assert parsed.text == "One.\n\nTwo.\nThree."


def test_a_utf8_bom_is_accepted():
    parsed = TextParser().parse("\ufeffTitle Of A Paper\n\nBody.".encode(), "bom.txt")
    assert parsed.text.startswith("Title Of A Paper")


def test_gb18030_chinese_text_is_decoded():
    parsed = parse("小模型的研究\n\n" + CHINESE_PARAGRAPH, encoding="gb18030")
    assert CHINESE_PARAGRAPH in parsed.text
    assert parsed.title == "小模型的研究"


def test_bytes_that_are_neither_utf8_nor_gb18030_raise_an_input_error():
    with pytest.raises(InputError, match=r"latin\.txt.*UTF-8"):
        TextParser().parse("Café au lait, très bien. ".encode("latin-1") * 3, "latin.txt")


def test_title_and_the_author_line_below_it_are_found():
    source = (
        "Learning Small Vision Models\nJane Doe, John Smith and Li Wei\n\n"
        "Abstract\nWe study.\n\n1 Introduction\nText.\n\n2 Method\nText.\n"
    )
    parsed = parse(source)
    assert parsed.title == "Learning Small Vision Models"
    assert parsed.authors == ["Jane Doe", "John Smith", "Li Wei"]
    assert parsed.abstract == "We study."


def test_one_author_per_line_is_read_until_the_affiliations():
    source = (
        "Learning Small Vision Models\nJane Doe\nJohn Smith\nStanford University\n\n"
        "Abstract\nWe study.\n"
    )
    parsed = parse(source)
    assert parsed.authors == ["Jane Doe", "John Smith"]


def test_a_first_line_that_is_a_sentence_is_not_a_title():
    parsed = parse("This is just a note about things.\nMore notes follow here.\n")
    assert parsed.title == ""


def test_headings_are_found_with_their_numbers():
    source = (
        "A Paper Title Here\n\n1 Introduction\nText.\n\n2 Method\nText.\n\n2.1 Encoder\nText.\n"
    )
    parsed = parse(source)
    assert [(h.number, h.title, h.level) for h in parsed.headings] == [
        ("1", "Introduction", 1),
        ("2", "Method", 1),
        ("2.1", "Encoder", 2),
    ]
    for heading in parsed.headings:
        assert parsed.text[heading.char_start :].startswith(f"{heading.number} {heading.title}")


def test_lone_bullet_lines_become_the_prefix_of_their_item():
    parsed = parse("Our contributions are:\n-\n•\nCompact models.\n-\n•\nOpen weights.\n")
    assert parsed.text == "Our contributions are:\n• Compact models.\n• Open weights."


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("3.1 Learned Tokens", ("3.1", "Learned Tokens")),
        ("2. Method", ("2", "Method")),
        ("A.2 Proofs", ("A.2", "Proofs")),
        ("一、引言", ("一", "引言")),
        ("1、Introduction", ("1", "Introduction")),
        ("Related Work", (None, "Related Work")),
    ],
)
def test_heading_numbers_are_split_from_titles(heading, expected):
    assert split_heading_number(heading) == expected


@pytest.mark.corpus
def test_the_smolvlm_paper_has_its_title_authors_and_sections(corpus):
    path = corpus / "docs" / "smolvlm-paper.txt"
    parsed = TextParser().parse(path.read_bytes(), path.name)
    assert parsed.title == "SmolVLM: Redefining small and efficient multimodal models"
    assert parsed.authors[:3] == ["Andrés Marafioti", "Orr Zohar", "Miquel Farré"]
    assert "Thomas Wolf" in parsed.authors and "Hugging Face" not in parsed.authors
    numbers = [h.number for h in parsed.headings if h.number]
    assert numbers[:4] == ["1", "2", "2.1", "2.2"]
    assert "3.1" in numbers and "6" in numbers
    assert parsed.abstract.startswith("Large Vision-Language Models (VLMs) deliver")
    assert "• Compact yet Powerful Models:" in parsed.text


@pytest.mark.corpus
def test_the_chinese_translation_keeps_its_text_and_title(corpus):
    path = corpus / "docs" / "smolvlm-translation-zh.txt"
    parsed = TextParser().parse(path.read_bytes(), path.name)
    assert parsed.title.startswith(
        "sVLMs之:《SmolVLM: Redefining small and efficient multimodal models》"
    )
    assert "● 资源消耗巨大: 当前最先进的大型视觉语言模型(VLMs)虽然性能卓越" in parsed.text
    assert parsed.language == "zh"
    assert {"Abstract", "Conclusion"} <= {h.title for h in parsed.headings}
    assert parsed.abstract.startswith("Large Vision-Language Models")
