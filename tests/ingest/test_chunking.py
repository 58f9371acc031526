import itertools
import statistics
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.tokens import count_tokens
from papershelf.ingest.base import Heading, PageSpan, ParsedDocument
from papershelf.ingest.chunking import chunk_document
from papershelf.ingest.markdown import MarkdownParser
from papershelf.ingest.sentences import sentence_spans
from papershelf.ingest.text import TextParser

ENGLISH_SENTENCES = [
    "Small vision-language models trade capacity for memory and latency on edge devices.",
    "We measure how pixel shuffle changes the number of visual tokens per image.",
    "The encoder is paired with a compact language model of 135M parameters.",
    "Longer context windows let the model see higher resolution crops.",
    "Training data mixes documents, charts, natural images and short videos.",
    "Results show that learned positional tokens stabilise optical character recognition.",
]
CHINESE_SENTENCES = [
    "小型视觉语言模型在端侧设备上以较少的内存完成推理。",
    "像素重排可以显著减少每张图像的视觉标记数量。",
    "较长的上下文窗口让模型能够处理更高分辨率的图像切片。",
    "训练数据混合了文档、图表、自然图像和短视频。",
]


def prose(sentences: list[str], count: int, per_paragraph: int = 5) -> str:
    chosen = [sentences[i % len(sentences)] for i in range(count)]
    joiner = "" if any("\u4e00" <= ch <= "\u9fff" for ch in chosen[0]) else " "
    paragraphs = [
        joiner.join(chosen[i : i + per_paragraph]) for i in range(0, count, per_paragraph)
    ]
    return "\n\n".join(paragraphs)


def document(sections: list[tuple[str | None, str, int, str]], **fields) -> ParsedDocument:
    """A parsed document from (number, title, level, body) sections."""
    text, headings = "", []
    for number, title, level, body in sections:
        if text:
            text += "\n\n"
        headings.append(Heading(title=title, number=number, level=level, char_start=len(text)))
        text += f"{number} {title}" if number else title
        text += "\n" + body
    return ParsedDocument(kind="text", text=text, headings=headings, **fields)


def check_spans(parsed: ParsedDocument, passages) -> None:
    for passage in passages:
        assert passage.text == parsed.text[passage.char_start : passage.char_end]
        assert passage.text == passage.text.strip()


def test_a_passage_never_spans_two_sections():
    parsed = document(
        [
            ("1", "Introduction", 1, prose(ENGLISH_SENTENCES, 40)),
            ("2", "Method", 1, prose(ENGLISH_SENTENCES, 23)),
            ("3", "Results", 1, prose(ENGLISH_SENTENCES, 3)),
        ]
    )
    sections, passages = chunk_document(parsed, "doc:1")
    for passage in passages:
        section = next(s for s in sections if s.heading == passage.section)
        assert section.char_start <= passage.char_start < passage.char_end <= section.char_end


def test_passages_stay_within_the_token_limits():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES, 120))])
    _, passages = chunk_document(parsed, "doc:1")
    assert len(passages) > 3
    assert all(p.tokens <= 400 for p in passages)
    assert all(p.tokens >= 200 for p in passages[:-1])


def test_passage_text_is_exactly_the_slice_of_the_document_text():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES, 60))])
    _, passages = chunk_document(parsed, "doc:1")
    check_spans(parsed, passages)


def test_token_counts_are_those_of_the_passage_text():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES + CHINESE_SENTENCES, 80))])
    _, passages = chunk_document(parsed, "doc:1")
    assert all(p.tokens == count_tokens(p.text) for p in passages)


def test_heading_paths_follow_heading_levels():
    parsed = document(
        [
            ("3", "Smol Instruction Tuning", 1, "Intro to the section."),
            ("3.1", "Learned Tokens vs. String", 2, "Tokens text."),
            ("3.2", "Structured Prompts", 2, "Prompts text."),
            ("4", "Experiments", 1, "Experiments text."),
        ]
    )
    sections, passages = chunk_document(parsed, "doc:1")
    assert [s.heading for s in sections] == [
        "3 Smol Instruction Tuning",
        "3 Smol Instruction Tuning > 3.1 Learned Tokens vs. String",
        "3 Smol Instruction Tuning > 3.2 Structured Prompts",
        "4 Experiments",
    ]
    assert [s.level for s in sections] == [1, 2, 2, 1]
    assert passages[1].section == "3 Smol Instruction Tuning > 3.1 Learned Tokens vs. String"


def test_a_short_section_is_one_passage_even_under_the_minimum():
    parsed = document([("1", "Tiny", 1, "Just one sentence here.")])
    _, passages = chunk_document(parsed, "doc:1")
    assert len(passages) == 1
    assert passages[0].text == "1 Tiny\nJust one sentence here."


def test_a_heading_without_text_gets_a_section_but_no_passage():
    parsed = document(
        [("2", "Architecture", 1, ""), ("2.1", "Encoder", 2, "The encoder is small.")]
    )
    sections, passages = chunk_document(parsed, "doc:1")
    assert [s.heading for s in sections] == ["2 Architecture", "2 Architecture > 2.1 Encoder"]
    assert [p.section for p in passages] == ["2 Architecture > 2.1 Encoder"]


def test_text_before_the_first_heading_is_front_matter():
    parsed = document([("1", "Introduction", 1, "Body.")])
    parsed.text = "Some Title\nJane Doe, John Smith\n\n" + parsed.text
    parsed.headings[0].char_start += len("Some Title\nJane Doe, John Smith\n\n")
    sections, _ = chunk_document(parsed, "doc:1")
    assert sections[0].heading == "Front matter"
    assert sections[1].heading == "1 Introduction"


def test_front_matter_that_starts_with_an_abstract_is_named_abstract():
    parsed = ParsedDocument(kind="text", text="Abstract\nWe study things.\n\nMore.", headings=[])
    sections, passages = chunk_document(parsed, "doc:1")
    assert sections[0].heading == "Abstract"
    assert passages[0].section == "Abstract"


def test_a_document_without_headings_is_one_section_named_after_its_title():
    parsed = ParsedDocument(kind="text", text=prose(ENGLISH_SENTENCES, 12), title="A Study")
    sections, _ = chunk_document(parsed, "doc:1")
    assert [s.heading for s in sections] == ["A Study"]


def test_a_lone_top_heading_repeating_the_title_is_left_out_of_child_paths():
    parsed = document(
        [
            (None, "My Paper", 1, "Intro."),
            (None, "Method", 2, "How."),
            (None, "Results", 2, "What."),
        ],
        title="My Paper",
    )
    sections, _ = chunk_document(parsed, "doc:1")
    assert [s.heading for s in sections] == ["My Paper", "Method", "Results"]


def test_pages_come_from_the_page_spans():
    first = prose(ENGLISH_SENTENCES, 30)
    second = prose(ENGLISH_SENTENCES, 30)
    text = first + "\n\n" + second
    pages = [
        PageSpan(number=1, char_start=0, char_end=len(first)),
        PageSpan(number=2, char_start=len(first) + 2, char_end=len(text)),
    ]
    parsed = ParsedDocument(kind="pdf", text=text, pages=pages, title="T")
    sections, passages = chunk_document(parsed, "doc:1")
    assert (sections[0].page_start, sections[0].page_end) == (1, 2)
    assert passages[0].page_start == 1
    assert passages[-1].page_end == 2
    for passage in passages:
        expected_first = 1 if passage.char_start < len(first) else 2
        assert passage.page_start == expected_first
        assert passage.page_end == (1 if passage.char_end <= len(first) else 2)


def test_pages_are_none_when_the_document_has_none():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES, 30))])
    sections, passages = chunk_document(parsed, "doc:1")
    assert sections[0].page_start is None and sections[0].page_end is None
    assert all(p.page_start is None and p.page_end is None for p in passages)


def test_consecutive_passages_of_a_section_overlap_by_whole_sentences():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES, 60))])
    _, passages = chunk_document(parsed, "doc:1")
    for before, after in itertools.pairwise(passages):
        assert after.char_start < before.char_end
        shared = parsed.text[after.char_start : before.char_end]
        assert 0 < count_tokens(shared) <= 40
        assert shared.startswith(tuple(ENGLISH_SENTENCES)) and shared.endswith(".")


def test_passages_of_different_sections_do_not_overlap():
    parsed = document(
        [("1", "A", 1, prose(ENGLISH_SENTENCES, 30)), ("2", "B", 1, prose(ENGLISH_SENTENCES, 30))]
    )
    _, passages = chunk_document(parsed, "doc:1")
    first_of_b = next(p for p in passages if p.section == "2 B")
    last_of_a = [p for p in passages if p.section == "1 A"][-1]
    assert first_of_b.char_start > last_of_a.char_end


def test_a_giant_sentence_is_split_between_words():
    words = [f"word{i}" for i in range(900)]
    parsed = document([("1", "Table", 1, " ".join(words))])
    _, passages = chunk_document(parsed, "doc:1")
    assert len(passages) >= 3
    body_start = parsed.text.index("word0")
    for passage in passages:
        assert passage.tokens <= 400
        start, end = passage.char_start, passage.char_end
        assert start == body_start or start == 0 or parsed.text[start - 1] == " "
        assert end == len(parsed.text) or parsed.text[end] == " "


def test_a_single_enormous_word_is_cut_to_fit():
    parsed = ParsedDocument(kind="text", text="x" * 5000)
    _, passages = chunk_document(parsed, "doc:1")
    assert all(p.tokens <= 400 for p in passages)
    assert "".join(p.text for p in passages).count("x") >= 5000


def test_chinese_passages_count_one_token_per_character():
    parsed = document([("一", "引言", 1, prose(CHINESE_SENTENCES, 60, per_paragraph=4))])
    _, passages = chunk_document(parsed, "doc:1")
    assert len(passages) > 2
    assert all(p.language == "zh" for p in passages)
    assert all(p.tokens <= 400 for p in passages)
    assert all(p.tokens >= 200 for p in passages[:-1])
    assert passages[1].text.startswith(tuple(CHINESE_SENTENCES))
    assert all(p.text.endswith("。") for p in passages)


def test_chinese_sentences_split_at_full_width_punctuation():
    text = "第一句。第二句！第三句？第四句;第五句"
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert pieces == ["第一句。", "第二句！", "第三句？", "第四句;", "第五句"]


def test_english_sentences_do_not_split_after_abbreviations():
    text = "See Fig. 3 and Chen et al. (2024) for details. The e.g. case stays. Next one."
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert pieces == [
        "See Fig. 3 and Chen et al. (2024) for details.",
        "The e.g. case stays.",
        "Next one.",
    ]


def test_chunking_is_deterministic():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES + CHINESE_SENTENCES, 90))])
    assert chunk_document(parsed, "doc:1") == chunk_document(parsed, "doc:1")


def test_limits_can_be_changed():
    parsed = document([("1", "Body", 1, prose(ENGLISH_SENTENCES, 60))])
    _, passages = chunk_document(
        parsed, "doc:1", target_tokens=100, max_tokens=150, min_tokens=60, overlap_tokens=20
    )
    assert all(p.tokens <= 150 for p in passages)
    assert all(p.tokens >= 60 for p in passages[:-1])


def test_chunking_a_thirty_page_paper_is_fast():
    sections = [
        (str(i), f"Section {i}", 1, prose(ENGLISH_SENTENCES, 70, per_paragraph=6))
        for i in range(1, 19)
    ]
    parsed = document(sections)
    assert len(parsed.text) > 95_000
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        chunk_document(parsed, "doc:1")
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1  # about 22 ms on an idle core; the best of five tolerates a busy CI


paragraph_text = st.lists(
    st.text(
        alphabet=st.sampled_from(list("abcdefg hij.,!?。，；小模型视觉 \n")),
        min_size=0,
        max_size=400,
    ),
    min_size=1,
    max_size=12,
).map("\n\n".join)


@settings(max_examples=60, deadline=None)
@given(
    body=paragraph_text,
    heading_offsets=st.lists(st.integers(min_value=0, max_value=5000), max_size=6),
    limits=st.sampled_from([(300, 400, 200, 40), (60, 80, 40, 10), (20, 30, 10, 5)]),
)
def test_chunking_random_text_keeps_its_invariants(body, heading_offsets, limits):
    target, maximum, minimum, overlap = limits
    headings = [
        Heading(title=f"H{i}", level=1 + i % 3, char_start=offset)
        for i, offset in enumerate(sorted(set(heading_offsets)))
        if offset < len(body)
    ]
    parsed = ParsedDocument(kind="text", text=body, headings=headings)
    sections, passages = chunk_document(
        parsed,
        "doc:1",
        target_tokens=target,
        max_tokens=maximum,
        min_tokens=minimum,
        overlap_tokens=overlap,
    )
    check_spans(parsed, passages)
    covered = "".join(parsed.text[s.char_start : s.char_end] for s in sections)
    assert "".join(covered.split()) == "".join(body.split())
    for passage in passages:
        assert 0 < passage.tokens <= maximum
        assert passage.tokens == count_tokens(passage.text)
        assert any(
            s.char_start <= passage.char_start and passage.char_end <= s.char_end
            for s in sections
            if s.heading == passage.section
        )
    assert [p.ordinal for p in passages] == list(range(len(passages)))


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    [
        "smolvlm-paper.txt",
        "smolvlm-translation-zh.txt",
        "smolvlm-blog-zh.md",
        "fast-foundationstereo-zh.md",
    ],
)
def test_corpus_documents_chunk_within_limits(corpus, name):
    path = corpus / "docs" / name
    parser = MarkdownParser() if name.endswith(".md") else TextParser()
    parsed = parser.parse(path.read_bytes(), name)
    sections, passages = chunk_document(parsed, "doc:corpus")
    check_spans(parsed, passages)
    assert all(p.tokens <= 400 for p in passages)
    tokens = sorted(p.tokens for p in passages)
    assert statistics.median(tokens) >= 200
    known = {s.heading for s in sections}
    assert all(p.section in known for p in passages)


@pytest.mark.corpus
def test_the_smolvlm_paper_cites_subsections_by_their_path(corpus):
    path = corpus / "docs" / "smolvlm-paper.txt"
    parsed = TextParser().parse(path.read_bytes(), path.name)
    sections, passages = chunk_document(parsed, "doc:smolvlm")
    headings = [s.heading for s in sections]
    assert "3 Smol Instruction Tuning > 3.1 Learned Tokens vs. String" in headings
    pixel = [p for p in passages if "pixel shuffle" in p.text.lower()]
    assert any(p.section.startswith("2 Smoller Model Architecture > 2.2") for p in pixel)


def test_hard_wrapped_lines_are_not_preferred_cut_points_mid_sentence():
    sentence = (
        "The encoder is paired with a compact language model and the pair is trained on a\n"
        "mixture of documents, charts and natural images so that every visual token counts.\n"
    )
    parsed = ParsedDocument(kind="pdf", text=sentence * 40)
    _, passages = chunk_document(parsed, "doc:1")
    assert len(passages) > 2
    assert all(p.text.endswith("counts.") for p in passages[:-1])
