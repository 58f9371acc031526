"""Taiwan's words for things carried to the mainland's: 軟體 to 软件, 影片 to 视频, 記憶體 to
内存, 機率 to 概率. Folding traditional characters one for one (core/chinese_script.py) makes
軟體 into 软体, which shares no bigram with the 软件 of a simplified text; the table
(data/taiwan-words.tsv, made by scripts/taiwan_words.py from OpenCC's dictionary) knows the pairs.
Only a question written in traditional script is read this way: 影片 means 'film' to a mainland
writer and 'video' to a Taiwan one."""

import re
from functools import cache
from importlib.resources import files

from papershelf.core.chinese_script import to_simplified

TABLE_FILE = "data/taiwan-words.tsv"
_KANA = re.compile("[\u3040-\u30ff]")


@cache
def _table() -> tuple[dict[str, str], int]:
    """Taiwan's words and the mainland's, both folded to simplified script; the longest word."""
    text = files(__package__ or "papershelf.search").joinpath(TABLE_FILE).read_text("utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            taiwan, _, mainland = line.partition("\t")
            table.setdefault(to_simplified(taiwan), to_simplified(mainland))
    return table, max(map(len, table), default=0)


def reads_as_taiwan_wording(question: str, folded: str) -> bool:
    """Written in traditional script (`folded`, its `to_simplified`, differs), and not Japanese
    (kana)."""
    return folded != question and not _KANA.search(question)


def in_mainland_words(folded: str) -> str:
    """The folded text with the mainland's word for each of Taiwan's, longest words first."""
    table, longest = _table()
    out: list[str] = []
    i = 0
    while i < len(folded):
        for size in range(min(longest, len(folded) - i), 1, -1):
            found = table.get(folded[i : i + size])
            if found is not None:
                out.append(found)
                i += size
                break
        else:
            out.append(folded[i])
            i += 1
    return "".join(out)
