"""Traditional Chinese folded into simplified, as case is folded: a question in either script
finds a passage in either, and meets the bilingual dictionary (simplified headwords). The table
(data/traditional-chars.tsv, made by scripts/traditional_chars.py from CC-CEDICT) holds only
characters no simplified word uses, so simplified text never changes."""

import re
from functools import cache
from importlib.resources import files

from papershelf.core.tokens import CJK_CHAR

TABLE_FILE = "data/traditional-chars.tsv"
_CJK = re.compile(f"[{CJK_CHAR}]")


@cache
def _table() -> dict[int, str]:
    text = files(__package__ or "papershelf.core").joinpath(TABLE_FILE).read_text("utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            traditional, _, simplified = line.partition("\t")
            table[ord(traditional)] = simplified
    return table


def to_simplified(text: str) -> str:
    """The text with its traditional characters written in simplified script, one for one (the
    length and every other character stay)."""
    return text.translate(_table()) if _CJK.search(text) else text
