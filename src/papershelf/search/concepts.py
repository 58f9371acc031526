"""The concepts of a question, and how many of them a passage covers.

BM25 over a question expanded with translations and synonyms scores each English word on its
own: a passage repeating three renderings of one Chinese word ('effect', 'effects',
'effectiveness') outscores one that holds one rendering of each of three words. Counting the
question's concepts a passage holds (coordination level matching) restores what the question
asks for: every word of the question's Latin text is a concept; a Chinese word is one concept
together with its English renderings. Measured on the eval set (docs/retrieval-notes.md §8).
"""

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from papershelf.core.tokens import CJK_CHAR
from papershelf.search.query import Query, compact

# Endings removed before matching, longest first: enough to meet a question's 'scaling' in a
# passage's 'scaled' or 'scales' (no stemmer agrees with FTS5's Porter exactly, and none needs to:
# both sides of this comparison go through the same function).
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "ly", "e")
# Shortest stem kept: 'rate' -> 'rat' would meet 'rather' and 'ratio'.
_MIN_STEM = 4
# Words this short, and words with digits, match whole: 'vgg', '5' (not '50'), '60.6'.
_SHORT_WORD = 3
_CJK = re.compile(f"[{CJK_CHAR}]")

# An English rendering of a concept: all its words must be in the passage ('batch normalization').
Form = tuple[str, ...]
# (Chinese word, its English renderings), as lexicon.py and dictionary.py translate a question.
Translation = tuple[str, list[Form]]


def stem(word: str) -> str:
    """The word lower-cased without a common English ending ('scaling' -> 'scal')."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


# One word of a form as a passage must hold it: (text, whole); by its stem when not whole.
Word = tuple[str, bool]


def word_of(text: str) -> Word:
    text = text.lower()
    if any(ch.isdigit() for ch in text) or len(text) <= _SHORT_WORD:
        return (text, True)
    return (stem(text), False)


@dataclass(frozen=True)
class Concept:
    """One thing the question asks about: held by a passage with all words of one of its forms,
    or with one of its Chinese spellings."""

    forms: frozenset[tuple[Word, ...]]
    chinese: frozenset[str]


class Concepts:
    """The concepts of one question, each checked against a passage's words."""

    def __init__(self, items: Sequence[Concept]):
        self.items = tuple(items)
        self._words = {w for c in self.items for form in c.forms for w in form}
        self._chinese = any(c.chinese for c in self.items)

    def coverage(self, text: str) -> float:
        """Share of the concepts the text holds (0 when the question has none)."""
        if not self.items:
            return 0.0
        ordered, unique = _words_of(text)
        present: set[Word] = set()
        for word in self._words:
            spelling, whole = word
            if whole:
                if spelling in unique:
                    present.add(word)
            else:
                # The first passage word not sorting before the stem starts with it, if any does.
                at = bisect_left(ordered, spelling)
                if at < len(ordered) and ordered[at].startswith(spelling):
                    present.add(word)
        compacted = compact(text) if self._chinese else ""
        held = 0
        for concept in self.items:
            if any(present.issuperset(form) for form in concept.forms) or any(
                spelling in compacted for spelling in concept.chinese
            ):
                held += 1
        return held / len(self.items)


# A passage's words as the question's are compared with them: hyphens split ('top-5'), decimals
# and thousands stay whole ('0.5', '1,000'), so '5' is never found inside a number.
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")


@lru_cache(maxsize=8192)  # candidates recur across questions, like compact()'s
def _words_of(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    words = frozenset(_WORD.findall(unicodedata.normalize("NFKC", text).lower()))
    return tuple(sorted(words)), words


def concepts(query: Query, translations: Sequence[Translation] = ()) -> Concepts:
    """The question's concepts: each Latin-script term of the question alone (numbers and names
    in a Chinese question too), each translated Chinese word with its English renderings
    (`translations`). Translations of one Chinese word by two routes (the dictionary's 缩放 and
    the embedder's piece 缩放和) are one concept when one word contains the other or they share a
    rendering."""
    groups: list[tuple[set[str], set[Form]]] = []
    for term in query.terms:
        if " " not in term and not _CJK.search(term):
            groups.append((set(), {(term,)}))
    for source, forms in translations:
        groups.append(({source}, set(forms)))
    return Concepts(tuple(_concept(chinese, forms) for chinese, forms in _merged(groups)))


def _merged(groups: list[tuple[set[str], set[Form]]]) -> list[tuple[set[str], set[Form]]]:
    merged: list[tuple[set[str], set[Form]]] = []
    for chinese, forms in groups:
        for other in [g for g in merged if _same(g, (chinese, forms))]:
            chinese |= other[0]
            forms |= other[1]
            merged.remove(other)
        merged.append((chinese, forms))
    return merged


def _same(a: tuple[set[str], set[Form]], b: tuple[set[str], set[Form]]) -> bool:
    if a[1] & b[1]:
        return True
    return any(x in y or y in x for x in a[0] for y in b[0])


def _concept(chinese: set[str], forms: set[Form]) -> Concept:
    return Concept(
        # Form words split as passage words are ('zero-shot' needs 'zero' and 'shot').
        forms=frozenset(
            words
            for words in (
                tuple(word_of(part) for w in form for part in _WORD.findall(w.lower()))
                for form in forms
            )
            if words
        ),
        chinese=frozenset(compact(c) for c in chinese),
    )
