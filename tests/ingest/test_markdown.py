from datetime import date

import pytest

from papershelf.core.errors import InputError
from papershelf.ingest.markdown import MarkdownParser


def parse(source: str, name: str = "note.md"):
    return MarkdownParser().parse(source.encode("utf-8"), name)


def heading_lines(parsed) -> list[str]:
    return [parsed.text[h.char_start :].split("\n", 1)[0] for h in parsed.headings]


def test_front_matter_fills_the_metadata():
    parsed = parse(
        "---\n"
        "title: Pixel Shuffle Explained\n"
        "authors: [Jane Doe, John Smith]\n"
        "date: 2025-01-23\n"
        "tags: [vlm, tokens]\n"
        "categories: cs.CV\n"
        "arxiv: 2504.05299v2\n"
        "abstract: We explain pixel shuffle.\n"
        "---\n"
        "# Ignored Title\n\nBody.\n"
    )
    assert parsed.kind == "markdown"
    assert parsed.title == "Pixel Shuffle Explained"
    assert parsed.authors == ["Jane Doe", "John Smith"]
    assert parsed.published == date(2025, 1, 23)
    assert parsed.keywords == ["vlm", "tokens"]
    assert parsed.categories == ["cs.CV"]
    assert (parsed.arxiv_id, parsed.arxiv_version) == ("2504.05299", 2)
    assert parsed.abstract == "We explain pixel shuffle."
    assert "---" not in parsed.text and "title:" not in parsed.text


def test_a_single_author_string_is_split_into_names():
    parsed = parse("---\nauthor: Jane Doe and John Smith\npublished: '2024-05-01'\n---\nText.\n")
    assert parsed.authors == ["Jane Doe", "John Smith"]
    assert parsed.published == date(2024, 5, 1)


def test_authors_listed_as_user_mappings_are_read():
    parsed = parse("---\nauthors:\n- user: andito\n- user: merve\n---\nText.\n")
    assert parsed.authors == ["andito", "merve"]


def test_keywords_may_be_a_comma_separated_string():
    parsed = parse("---\nkeywords: vision, language , tokens\n---\nText.\n")
    assert parsed.keywords == ["vision", "language", "tokens"]


def test_invalid_front_matter_is_a_warning_not_a_failure():
    parsed = parse("---\ntitle: [unclosed\n---\n# Real Title\n\nBody text.\n")
    assert parsed.title == "Real Title"
    assert "Body text." in parsed.text
    assert len(parsed.warnings) == 1 and "front matter" in parsed.warnings[0]


def test_an_invalid_arxiv_id_in_front_matter_is_ignored_with_a_warning():
    parsed = parse("---\narxiv_id: not-an-id\n---\nText.\n")
    assert parsed.arxiv_id is None
    assert "arxiv" in parsed.warnings[0]


def test_the_title_falls_back_to_the_first_h1():
    parsed = parse("Intro line.\n\n# The Real Title\n\n## Part\n")
    assert parsed.title == "The Real Title"


def test_atx_and_setext_headings_carry_level_and_offset_in_the_output():
    parsed = parse(
        "Top Title\n=========\n\nIntro.\n\n## 2.1 Method ##\n\nText.\n\nSubpart\n-------\n\nMore.\n"
    )
    assert [(h.level, h.number, h.title) for h in parsed.headings] == [
        (1, None, "Top Title"),
        (2, "2.1", "Method"),
        (2, None, "Subpart"),
    ]
    assert heading_lines(parsed) == ["Top Title", "2.1 Method", "Subpart"]
    assert "=====" not in parsed.text and "#" not in parsed.text


def test_a_dashed_line_after_a_blank_line_is_a_rule_not_a_heading():
    parsed = parse("Para one.\n\n---\n\nPara two.\n")
    assert parsed.headings == []
    assert parsed.text == "Para one.\n\nPara two."


def test_headings_inside_fenced_code_are_not_headings():
    parsed = parse("# Title\n\n```python\n# a comment\nx = 1\n```\n\n~~~\n## not either\n~~~\n")
    assert [h.title for h in parsed.headings] == ["Title"]
    assert "# a comment\nx = 1" in parsed.text
    assert "## not either" in parsed.text
    assert "```" not in parsed.text


def test_links_images_emphasis_and_comments_lose_their_markup():
    parsed = parse(
        "See [the paper](https://arxiv.org/abs/2504.05299) and ![a chart](chart.png).\n"
        "It is **very** *small* and __fast__, ~~slow~~ <!-- hidden note --> done.\n"
        '<img src="x.png" alt="Benchmarks" />\n'
        "Keep `snake_case_name` and 2*3*4 and file_name_here.\n"
    )
    assert "See the paper and a chart." in parsed.text
    assert "It is very small and fast, slow done." in parsed.text
    assert "Benchmarks" in parsed.text and "<img" not in parsed.text
    assert "snake_case_name" in parsed.text and "2*3*4" in parsed.text
    assert "file_name_here" in parsed.text
    assert "hidden note" not in parsed.text and "](" not in parsed.text


def test_a_multi_line_html_comment_is_removed():
    parsed = parse("Before.\n\n<!--\n# not a heading\n-->\n\nAfter.\n")
    assert parsed.text == "Before.\n\nAfter."
    assert parsed.headings == []


def test_tables_and_code_blocks_stay_as_text():
    parsed = parse("| Model | Params |\n|---|:---:|\n| SmolVLM | 256M |\n\n```\nrun --fast\n```\n")
    assert parsed.text == "| Model | Params |\n| SmolVLM | 256M |\n\nrun --fast"


def test_escaped_markup_characters_stay_literal():
    parsed = parse(r"Use \*stars\* and \_underscores\_ literally.")
    assert parsed.text == "Use *stars* and _underscores_ literally."


def test_hard_wrapped_paragraphs_are_joined():
    paragraph = (
        "Small vision language models are trained to run on phones and laptops with\n"
        "little memory, which changes how images are tokenised and how much context the\n"
        "language model must hold while it answers questions about documents and charts.\n"
    )
    parsed = parse("# Title\n\n" + "\n".join([paragraph] * 4))
    body = parsed.text.split("\n\n")[1:]
    assert len(body) == 4
    assert all("\n" not in paragraph for paragraph in body)
    assert "with little memory" in body[0]


def test_chinese_markdown_is_kept_intact():
    source = "# 小模型\n\n## 为什么要更小？\n\n我们非常高兴地宣布**两个新成员**：SmolVLM-256M 和 SmolVLM-500M。\n"
    parsed = parse(source)
    assert [h.title for h in parsed.headings] == ["小模型", "为什么要更小？"]
    assert "我们非常高兴地宣布两个新成员：SmolVLM-256M 和 SmolVLM-500M。" in parsed.text
    assert parsed.language == "zh"


def test_a_utf8_bom_is_accepted():
    parsed = MarkdownParser().parse("\ufeff# Title\n\nText.".encode(), "bom.md")
    assert parsed.title == "Title"
    assert parsed.text.startswith("Title")


def test_undecodable_bytes_raise_an_input_error_naming_the_file():
    with pytest.raises(InputError, match=r"broken\.md.*UTF-8"):
        MarkdownParser().parse(b"# Title\n\n\xff\xfe\xfa bad", "broken.md")


def test_a_document_without_headings_takes_its_first_short_line_as_title():
    parsed = parse("论文专题讲解:快速双目匹配\n这页先按证据读。\n")
    assert parsed.title == "论文专题讲解:快速双目匹配"


@pytest.mark.corpus
def test_the_chinese_blog_post_keeps_its_metadata_headings_and_text(corpus):
    path = corpus / "docs" / "smolvlm-blog-zh.md"
    parsed = MarkdownParser().parse(path.read_bytes(), path.name)
    assert parsed.title == "SmolVLM 越变越小 —— 全新 250M 和 500M 模型正式发布！"
    assert parsed.authors == ["andito", "mfarre", "merve"]
    titles = [h.title for h in parsed.headings]
    assert titles[:4] == ["TLDR", "目录", "概览", "为什么要更小？"]
    assert "# Initialize processor and model" not in titles
    assert "# Initialize processor and model" in parsed.text
    assert "你没看错——256M 参数，让它成为世界上最小的视觉语言模型 (VLM)！" in parsed.text
    assert "](" not in parsed.text
    assert parsed.language == "zh"


@pytest.mark.corpus
def test_the_chinese_reading_note_keeps_its_title_and_tables(corpus):
    path = corpus / "docs" / "fast-foundationstereo-zh.md"
    parsed = MarkdownParser().parse(path.read_bytes(), path.name)
    assert parsed.title == "论文专题讲解:Fast-FoundationStereo:实时 Zero-Shot 双目匹配"
    assert "| Dimension | Fast-FoundationStereo |\n| Saved cost |" in parsed.text
    assert (
        "一句话概括:它把一个慢但泛化强的双目基础模型,拆成可训练、可搜索、可剪枝的实时感知模型。"
        in parsed.text
    )
