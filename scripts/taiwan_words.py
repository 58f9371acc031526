"""Writes src/papershelf/core/data/taiwan-words.tsv: Taiwan's words for things with the
mainland's (軟體 -> 軟件, 記憶體 -> 內存, 影片 -> 視頻), from OpenCC's TWPhrasesRev dictionary
(Apache License 2.0; the `opencc` package of the dev extra ships it compiled, with the tool that
writes it out as text). A question or a stored text in traditional script is also read in these
words (core/regional_words.py), so papershelf needs no OpenCC at run time (it has no wheels for
Linux on ARM, musl or Windows on ARM).

Where OpenCC gives several mainland words, the first is kept. LEFT_OUT are pairs that are wrong in
the machine-learning writing papershelf serves, where both sides of the strait write the Taiwan
form too: 向量 a vector (矢量 is the physicist's), 指標 a metric (指針 is a pointer), 正規化
normalisation (範式 is a normal form), 序列 a sequence (串行 is serial), 核心 a core idea (內核 is
an OS kernel), 查詢 an attention query (查找 is a lookup).

Run: python scripts/taiwan_words.py
"""

import os
import subprocess
import tempfile
from pathlib import Path

import opencc

TARGET = Path(__file__).resolve().parents[1] / "src/papershelf/core/data/taiwan-words.tsv"
LEFT_OUT = {"向量", "指標", "正規化", "序列", "核心", "查詢"}
HEADER = (
    "# Taiwan's word <TAB> the mainland's, from OpenCC's TWPhrasesRev dictionary\n"
    "# (https://github.com/BYVoid/OpenCC, Apache License 2.0). Made by scripts/taiwan_words.py.\n"
)


def opencc_pairs() -> list[tuple[str, str]]:
    """TWPhrasesRev as (Taiwan word, first mainland word), in OpenCC's traditional script."""
    clib = Path(opencc.__file__).parent / "clib"
    with tempfile.TemporaryDirectory() as work:
        text = Path(work) / "TWPhrasesRev.txt"
        subprocess.run(
            [
                str(clib / "bin/opencc_dict"),
                *("-i", str(clib / "share/opencc/TWPhrasesRev.ocd2")),
                *("-o", str(text), "-f", "ocd2", "-t", "text"),
            ],
            check=True,
            env={**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64")},
        )
        lines = text.read_text("utf-8").splitlines()
    pairs = []
    for line in lines:
        taiwan, _, mainland = line.partition("\t")
        first = mainland.split(" ")[0]
        if taiwan and first and taiwan != first and taiwan not in LEFT_OUT:
            pairs.append((taiwan, first))
    return sorted(pairs)


def table_text() -> str:
    return HEADER + "".join(f"{taiwan}\t{mainland}\n" for taiwan, mainland in opencc_pairs())


def main() -> None:
    text = table_text()
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({text.count(chr(10)) - HEADER.count(chr(10))} pairs)")


if __name__ == "__main__":
    main()
