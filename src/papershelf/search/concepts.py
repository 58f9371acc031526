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
    """The concepts of one question, with the patterns that find their words in a passage."""

    def __init__(self, items: Sequence[Concept]):
        self.items = tuple(items)
        words = {w for c in self.items for form in c.forms for w in form}
        stems = sorted((text for text, whole in words if not whole), key=len, reverse=True)
        whole = sorted((text for text, is_whole in words if is_whole), key=len, reverse=True)
        self._stem_sizes = sorted({len(s) for s in stems})
        self._stems = frozenset(stems)
        # Two patterns, so a stem ('resnet' of 'resnets') cannot hide a whole word at the same
        # place ('resnet50'). Numbers match neither inside other numbers ('5' in '0.5', '50').
        self._stem_pattern = _pattern(stems, "[a-z0-9]*", "") if stems else None
        self._whole_pattern = (
            _pattern(whole, r"(?![a-z0-9]|[.,][0-9])", r"(?<![0-9][.,])") if whole else None
        )
        self._chinese = any(c.chinese for c in self.items)

    def coverage(self, text: str) -> float:
        """Share of the concepts the text holds (0 when the question has none)."""
        if not self.items:
            return 0.0
        folded = _folded(text)
        present: set[Word] = set()
        if self._whole_pattern is not None:
            present.update((w, True) for w in self._whole_pattern.findall(folded))
        if self._stem_pattern is not None:
            for word in set(self._stem_pattern.findall(folded)):
                for size in self._stem_sizes:
                    if word[:size] in self._stems:
                        present.add((word[:size], False))
        compacted = compact(text) if self._chinese else ""
        held = 0
        for concept in self.items:
            if any(present.issuperset(form) for form in concept.forms) or any(
                spelling in compacted for spelling in concept.chinese
            ):
                held += 1
        return held / len(self.items)


def _pattern(alternatives: list[str], after: str, before: str) -> re.Pattern[str]:
    escaped = "|".join(map(re.escape, alternatives))
    return re.compile(rf"{before}(?<![a-z0-9])(?:{escaped}){after}")


@lru_cache(maxsize=8192)  # candidates recur across questions, like compact()'s
def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


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
        forms=frozenset(tuple(word_of(w) for w in form) for form in forms if form),
        chinese=frozenset(compact(c) for c in chinese),
    )
