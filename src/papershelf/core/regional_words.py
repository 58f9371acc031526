"""Taiwan's words for things carried to the mainland's: 軟體 to 软件, 影片 to 视频, 記憶體 to
内存, 機率 to 概率. Folding traditional characters one for one (chinese_script.py) makes 軟體
into 软体, which shares no bigram with the 软件 of a simplified text; the table
(data/taiwan-words.tsv, made by scripts/taiwan_words.py from OpenCC's dictionary) knows the pairs.
Only text written in traditional script is read this way, a question or a stored passage: 影片
means 'film' to a mainland writer and 'video' to a Taiwan one."""

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib.resources import files

from papershelf.core.chinese_script import to_simplified
from papershelf.core.tokens import CJK_CHAR

TABLE_FILE = "data/taiwan-words.tsv"
_KANA = re.compile("[\u3040-\u30ff]")
_CJK = re.compile(f"[{CJK_CHAR}]")
# A stored text reads as written in traditional script when at least this share of its Chinese
# characters are traditional ones: a simplified passage quoting a traditional title, or holding
# 於 (a surname too), stays simplified. Passages converted by OpenCC: 0.125-0.6, median 0.32.
STORED_TRADITIONAL_SHARE = 0.1


def _table_text() -> str:
    return files(__package__ or "papershelf.core").joinpath(TABLE_FILE).read_text("utf-8")


@cache
def words_digest() -> str:
    """Names the table's content, for the stores' analyser fingerprints: stored Taiwan texts are
    indexed with its mainland words, so a new table rebuilds the index."""
    return hashlib.sha256(_table_text().encode("utf-8")).hexdigest()[:12]


@cache
def _table() -> tuple[dict[str, str], int, frozenset[str]]:
    """Taiwan's words and the mainland's, folded as text is (NFKC, lower case, simplified script:
    SQL隱碼攻擊 as sql隐码攻击, U盘 as u盘); the longest word;
    the characters Taiwan's words start with (a text is looked up only where one stands)."""
    table: dict[str, str] = {}
    for line in _table_text().splitlines():
        if line and not line.startswith("#"):
            taiwan, _, mainland = line.partition("\t")
            table.setdefault(_folded(taiwan), _folded(mainland))
    return table, max(map(len, table), default=0), frozenset(word[0] for word in table)


def _folded(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def reads_as_taiwan_wording(text: str, folded: str) -> bool:
    """A question written in traditional script (`folded`, its `to_simplified`, differs), and
    not Japanese (kana)."""
    return folded != text and not _KANA.search(text)


def stored_in_taiwan_wording(text: str, folded: str) -> bool:
    """A stored text written in traditional script: as a question, and with at least
    STORED_TRADITIONAL_SHARE of its Chinese characters traditional (`folded` keeps the length)."""
    if not reads_as_taiwan_wording(text, folded):
        return False
    changed = sum(a != b for a, b in zip(text, folded, strict=False))
    return changed >= STORED_TRADITIONAL_SHARE * len(_CJK.findall(text))


def _read_in_mainland_words(folded: str) -> Iterator[tuple[str, str | None]]:
    """The folded text in pieces, longest Taiwan words first: (the Taiwan word, the mainland's)
    for each of Taiwan's words, (the character, None) for the rest."""
    table, longest, starts = _table()
    i = 0
    while i < len(folded):
        sizes = range(min(longest, len(folded) - i), 1, -1) if folded[i] in starts else ()
        for size in sizes:
            found = table.get(folded[i : i + size])
            if found is not None:
                yield folded[i : i + size], found
                i += size
                break
        else:
            yield folded[i], None
            i += 1


def in_mainland_words(folded: str) -> str:
    """The folded text (`textindex.fold`) with the mainland's word for each of Taiwan's."""
    return "".join(
        piece if word is None else word for piece, word in _read_in_mainland_words(folded)
    )


def mainland_words(folded: str) -> list[str]:
    """The mainland's words for the Taiwan words of the folded text that the mainland writes
    otherwise, in order, repeats kept."""
    return [
        word
        for piece, word in _read_in_mainland_words(folded)
        if word is not None and word != piece
    ]
