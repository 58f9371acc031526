"""The corpus's Chinese text documents as a writer in Taiwan would have written them (OpenCC's
s2twp: traditional script and Taiwan's words, 軟體 for 软件, 資料 for 数据), to measure what
questions in the mainland's words, and in English, find in texts written in Taiwan.
papershelf's Taiwan word table is made from OpenCC's too (scripts/taiwan_words.py), so this is
an optimistic measure, as the s2twp questions are."""

import dataclasses
import os
from pathlib import Path

from bench.eval.check_evidence import Question, corpus_files

from papershelf.core.tokens import cjk_ratio

# A document counts as Chinese when this share of its characters is CJK.
CHINESE_SHARE = 0.2


def taiwan_corpus(corpus: Path, into: Path) -> set[str]:
    """Write into `into` a corpus like `corpus` whose Chinese text documents are in Taiwan's
    wording (the rest linked as they are); return the keys of the documents converted."""
    import opencc

    convert = opencc.OpenCC("s2twp").convert
    (into / "docs").mkdir(parents=True, exist_ok=True)
    converted = set()
    for source in (corpus / "docs").iterdir():
        target = into / "docs" / source.name
        key = f"docs/{source.name}"
        if (
            key in corpus_files(corpus)
            and cjk_ratio(text := source.read_text("utf-8")) >= CHINESE_SHARE
        ):
            target.write_text(convert(text), "utf-8")
            converted.add(key)
        else:
            os.symlink(source.resolve(), target)
    os.symlink((corpus / "pdf").resolve(), into / "pdf")
    return converted


def about_taiwan_texts(questions: list[Question], converted: set[str]) -> list[Question]:
    """The questions whose gold documents include a converted one, their evidence converted as
    the text was."""
    import opencc

    convert = opencc.OpenCC("s2twp").convert
    return [
        dataclasses.replace(q, evidence=tuple(convert(e) for e in q.evidence))
        for q in questions
        if converted & set(q.docs)
    ]
