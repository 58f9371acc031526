"""The evaluation set of bench/eval: its schema and size, and gold evidence that really occurs in
the text papershelf extracts from the corpus."""

import pytest
from bench.eval.check_evidence import (
    QUESTIONS,
    TAIWAN_QUESTIONS,
    Question,
    evidence_failures,
    evidence_in,
    extracted,
    ingest,
    load_questions,
    read_records,
    schema_errors,
    temporary_library,
)

from papershelf.core.chinese_script import to_simplified
from papershelf.core.models import Passage


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def taiwan_questions() -> list[Question]:
    return load_questions(TAIWAN_QUESTIONS)


def test_every_question_follows_the_schema():
    assert schema_errors(read_records(QUESTIONS)) == []
    assert schema_errors(read_records(TAIWAN_QUESTIONS)) == []


def test_the_taiwan_questions_are_chinese_in_traditional_script(taiwan_questions):
    assert len(taiwan_questions) >= 30
    for q in taiwan_questions:
        assert q.language == "zh" and to_simplified(q.question) != q.question, q.id
    assert not {q.id for q in taiwan_questions} & {q.id for q in load_questions(QUESTIONS)}


def test_the_set_has_at_least_80_questions_and_half_of_them_in_chinese(questions):
    assert len(questions) >= 80
    assert sum(q.language == "zh" for q in questions) >= max(40, len(questions) // 2)


def test_at_least_20_questions_ask_in_chinese_about_english_text(questions):
    assert sum(q.pairing == "zh->en" for q in questions) >= 20


def test_about_forty_percent_of_the_questions_are_for_development(questions):
    dev = [q for q in questions if q.split == "dev"]
    assert 0.3 <= len(dev) / len(questions) <= 0.5
    for pairing in {q.pairing for q in questions}:
        assert any(q.pairing == pairing and q.split == "test" for q in questions), pairing


def test_the_tutorials_example_question_is_in_the_set(questions):
    assert any(q.question.rstrip("?？") == "SmolVLM有哪些技术优势" for q in questions)


def test_evidence_matches_across_case_hyphenation_and_spacing():
    assert evidence_in(
        ["automatic Self-Curation pipeline"], "an automatic self-\ncuration   pipeline"
    )
    assert evidence_in(["repre-sentation power"], "its repre- sentation power")
    assert evidence_in(["多数已经小于 100"], "channel dimension 多数已经小于100")
    assert evidence_in(["（41%）"], "(41%)")
    assert not evidence_in(["fewer training steps"], "more training steps")


def test_a_missing_evidence_string_names_its_question():
    question = Question(
        id="demo-01",
        question="How fast?",
        language="en",
        evidence_language="en",
        kind="numeric",
        split="dev",
        doc="docs/demo.md",
        also=(),
        evidence=("fourteen times fewer training steps",),
    )
    passage = Passage(paper_id="doc:demo", ordinal=0, text="It trains in fewer steps.")
    failures = evidence_failures(
        [question], {"docs/demo.md": [passage]}, {"docs/demo.md": passage.text}
    )
    assert failures and all(f.startswith("demo-01:") for f in failures)


@pytest.fixture(scope="module")
def extracted_corpus(questions, taiwan_questions):
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    needed = {d for q in questions + taiwan_questions for d in q.docs}
    with temporary_library() as library:
        mapping, failures = ingest(library, CORPUS, needed)
        passages, contents = extracted(library, mapping)
    return passages, contents, failures


@pytest.mark.corpus
def test_every_document_a_question_names_is_ingested(corpus, extracted_corpus, questions):
    passages, _contents, failures = extracted_corpus
    missing = sorted({d for q in questions for d in q.docs} - set(passages))
    assert missing == [], failures


@pytest.mark.corpus
def test_every_gold_evidence_string_occurs_in_the_extracted_text(
    corpus, extracted_corpus, questions
):
    passages, contents, _failures = extracted_corpus
    assert evidence_failures(questions, passages, contents) == []


@pytest.mark.corpus
def test_every_taiwan_question_s_evidence_occurs_in_the_extracted_text(
    corpus, extracted_corpus, taiwan_questions
):
    passages, contents, _failures = extracted_corpus
    assert evidence_failures(taiwan_questions, passages, contents) == []
