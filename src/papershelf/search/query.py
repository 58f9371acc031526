"""Query analysis: what a user's question says to each retriever.

The lexical side gets index terms (CJK bigrams, stopwords dropped, numbers and versions whole)
plus quoted phrases as phrase terms; the dense side gets the question as written, without quote
marks. The language tells the fusion how far lexical matches can be trusted.
"""

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from papershelf.core.chinese_script import to_simplified
from papershelf.core.regional_words import in_mainland_words, reads_as_taiwan_wording
from papershelf.core.textindex import (
    CHINESE_PARTICLES,
    CHINESE_STOP_PHRASES,
    fold,
    fold_stored,
    index_text,
    query_terms,
)
from papershelf.core.tokens import CJK_CHAR, cjk_ratio

# "…", “…”, 「…」 and 『…』 mark an exact phrase.
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』')
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-.]*")
CJK_RUN = re.compile(f"[{CJK_CHAR}]+")
# Question words and particles never carry the topic of a question; other characters may sit
# inside words (用 in 作用, 能 in 性能), so they stay. They split a Chinese run into its words.
CJK_BREAK = re.compile(
    "|".join([*map(re.escape, CHINESE_STOP_PHRASES), "多少", f"[{CHINESE_PARTICLES}了]"])
)


@dataclass(frozen=True)
class Query:
    text: str  # for the dense retriever
    language: str  # 'zh' or 'en'
    terms: list[str]  # for the lexical retriever, phrases included
    phrases: list[str]
    numbers: list[str]
    latin_words: list[str]  # Latin-script words inside a CJK question: names, acronyms


def analyse(query: str) -> Query:
    """The question for each retriever. One written in Taiwan's wording also asks for the
    mainland's words on the lexical side (regional_words.py), its own spelling kept: a text
    written in Taiwan uses Taiwan's words."""
    folded = to_simplified(query)  # as the index folds it; the dictionary's words are simplified
    analysed = _analysed(folded)
    if not reads_as_taiwan_wording(query, folded):
        return analysed
    lowered = fold(query)  # as the table's words are folded
    mainland = in_mainland_words(lowered)
    if mainland == lowered:
        return analysed
    terms = list(dict.fromkeys(analysed.terms + _analysed(mainland).terms))
    return dataclasses.replace(analysed, terms=terms)


def _analysed(query: str) -> Query:
    phrases = [next(g for g in match.groups() if g) for match in _PHRASE.finditer(query)]
    text = " ".join(_PHRASE.sub(lambda m: next(g for g in m.groups() if g), query).split())
    terms = query_terms(text)
    for phrase in phrases:
        tokens = index_text(phrase).split()
        # A CJK phrase is already a run of bigrams among the terms; a Latin one becomes an FTS
        # phrase (the store quotes it), so passages holding the words in order rank higher.
        if len(tokens) > 1 and not cjk_ratio(phrase):
            terms.append(" ".join(tokens))
    language = "zh" if cjk_ratio(text) >= 0.2 else "en"
    latin = _LATIN_WORD.findall(text) if language == "zh" else []
    return Query(
        text=text,
        language=language,
        terms=list(dict.fromkeys(terms)),
        phrases=phrases,
        numbers=_NUMBER.findall(text),
        latin_words=latin,
    )


@lru_cache(maxsize=4096)  # candidate passages recur across queries; normalising them is costly
def compact(text: str) -> str:
    """Text as exact matching sees it: folded as the index folds it (NFKC, lower case, simplified
    Chinese), no whitespace (PDF extraction scatters spaces through CJK text and inside
    numbers)."""
    return "".join(fold(text).split())  # split() drops what \s matches, at half the cost


@lru_cache(maxsize=4096)
def compact_stored(text: str) -> str:
    """A passage or title as exact matching sees it: `compact` of `fold_stored`, so a text
    written in Taiwan's wording holds the mainland's words for its own too."""
    return "".join(fold_stored(text).split())


@dataclass(frozen=True)
class Verbatim:
    """The parts of a question a passage may quote verbatim: Chinese runs of 3+ characters between
    question words and particles (as their 4-character windows) and quoted phrases."""

    windows: list[tuple[str, int, int]]  # compacted text, and the question characters it spans
    size: int  # characters the windows could cover
    quoted: list[str]

    def coverage(self, text: str) -> float:
        """Share of the question's verbatim parts the text holds (1.0 when it holds a quoted
        phrase): a passage quoting most of a Chinese question is what it asks for."""
        if not (self.quoted or self.windows):
            return 0.0
        haystack = compact_stored(text)
        if any(phrase in haystack for phrase in self.quoted):
            return 1.0
        if not self.size:
            return 0.0  # only quoted phrases, and none of them is here
        covered: set[int] = set()
        for window, start, end in self.windows:
            if window in haystack:
                covered.update(range(start, end))
        return len(covered) / self.size


def verbatim(query: Query) -> Verbatim:
    """What of the question a passage could quote: see `Verbatim`."""
    windows: list[tuple[str, int, int]] = []
    size = 0
    for run in CJK_RUN.finditer(query.text):
        offset = run.start()
        for part in CJK_BREAK.split(run.group()):
            at = query.text.index(part, offset) if part else offset
            offset = at + len(part)
            if len(part) < 2:
                continue
            size += len(part)
            if len(part) >= 3:
                for i in range(max(1, len(part) - 3)):
                    window = part[i : i + 4]
                    windows.append((compact(window), at + i, at + i + len(window)))
    quoted = [p for p in (compact(q) for q in query.phrases) if p]
    return Verbatim(windows, size, quoted)
