"""Traditional Chinese folded into simplified, as case is folded: a question in either script
finds a passage in either, and meets the bilingual dictionary (simplified headwords). The table
(data/traditional-chars.tsv, made by scripts/traditional_chars.py from CC-CEDICT) holds only
characters no simplified word uses (but 於 and 徵, see the script), so simplified text does not
change. Compatibility ideographs are written as the characters they stand for (as NFKC does)."""

import hashlib
import re
import unicodedata
from functools import cache
from importlib.resources import files

TABLE_FILE = "data/traditional-chars.tsv"
_COMPATIBILITY = [*range(0xF900, 0xFB00), *range(0x2F800, 0x2FA20)]


def _table_text() -> str:
    return files(__package__ or "papershelf.core").joinpath(TABLE_FILE).read_text("utf-8")


@cache
def table_digest() -> str:
    """Names the table's content, for the stores' analyser fingerprints: a new table rebuilds
    their index as a new analyser does."""
    return hashlib.sha256(_table_text().encode("utf-8")).hexdigest()[:12]


@cache
def _table() -> dict[int, str]:
    text = _table_text()
    table: dict[int, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            traditional, _, simplified = line.partition("\t")
            table[ord(traditional)] = simplified
    for code in _COMPATIBILITY:
        meant = unicodedata.normalize("NFKC", chr(code))
        if meant != chr(code) and len(meant) == 1:
            table[code] = table.get(ord(meant), meant)
    return table


@cache
def _folded_characters() -> re.Pattern[str]:
    # The basic plane's characters one by one, the others as ranges: the regular expression
    # engine scans a class of many characters beyond the basic plane ~100x slower.
    basic = "".join(chr(code) for code in sorted(_table()) if code <= 0xFFFF)
    ranges: list[list[int]] = []
    for code in sorted(code for code in _table() if code > 0xFFFF):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    others = "".join(f"{chr(first)}-{chr(last)}" for first, last in ranges)
    return re.compile(f"[{basic}]|[{others}]" if others else f"[{basic}]")


def to_simplified(text: str) -> str:
    """The text with its traditional characters written in simplified script, one for one (the
    length and every other character stay)."""
    # Most text holds none of them (English, simplified Chinese): one scan tells, ~20x faster
    # than translating.
    return text.translate(_table()) if _folded_characters().search(text) else text
