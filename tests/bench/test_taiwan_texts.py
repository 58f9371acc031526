"""The bench's corpus with its Chinese texts in Taiwan's wording (bench/eval/taiwan_texts.py)."""

import dataclasses

from bench.eval.check_evidence import Question
from bench.eval.taiwan_texts import about_taiwan_texts, taiwan_corpus


def test_the_chinese_text_documents_are_written_in_taiwan_wording_and_the_rest_kept(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "pdf").mkdir()
    (corpus / "docs" / "notes-zh.md").write_text("# 笔记\n\n这个软件用视频数据训练。", "utf-8")
    (corpus / "docs" / "paper.txt").write_text("The software is trained on video data.", "utf-8")
    (corpus / "docs" / "export.json").write_text("[]", "utf-8")
    converted = taiwan_corpus(corpus, tmp_path / "taiwan")
    assert converted == {"docs/notes-zh.md"}
    written = (tmp_path / "taiwan" / "docs" / "notes-zh.md").read_text("utf-8")
    assert "軟體" in written and "資料" in written and "软件" not in written
    for kept in ("paper.txt", "export.json"):
        assert (tmp_path / "taiwan" / "docs" / kept).read_text("utf-8") == (
            corpus / "docs" / kept
        ).read_text("utf-8")
    assert (tmp_path / "taiwan" / "pdf").resolve() == (corpus / "pdf").resolve()


def test_only_questions_about_a_converted_text_are_asked_with_their_evidence_converted():
    about = Question(
        id="q1",
        question="这个软件用什么数据训练？",
        language="zh",
        evidence_language="zh",
        kind="factual",
        split="dev",
        doc="docs/notes-zh.md",
        also=(),
        evidence=("软件用视频数据训练",),
    )
    other = dataclasses.replace(about, id="q2", doc="pdf/x.pdf")
    [asked] = about_taiwan_texts([about, other], {"docs/notes-zh.md"})
    assert asked.question == about.question  # asked as written
    assert asked.evidence == ("軟體用影片資料訓練",)
