"""The concepts of a question, and how many of them a passage covers.

BM25 over a question expanded with translations and synonyms scores each English word on its
own: a passage repeating three renderings of one Chinese word ('effect', 'effects',
'effectiveness') outscores one that holds one rendering of each of three words. Counting the
question's concepts a passage holds (coordination level matching) restores what the question
asks for: every word of an English question is a concept; a Chinese word is one concept
together with its English translations. Measured on the eval set (docs/retrieval-notes.md §8).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from papershelf.search.query import Query, compact

# Endings removed before matching, longest first: enough to meet a question's 'scaling' in a
# passage's 'scaled' or 'scales' (no stemmer agrees with FTS5's Porter exactly, and none needs to:
# both sides of this comparison go through the same function).
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "ly", "e")
_MIN_STEM = 3
_CJK = re.compile(r"[\u3400-\u9fff]")


def stem(word: str) -> str:
    """The word lower-cased without a common English ending ('scaling' -> 'scal')."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Concept:
    """One thing the question asks about: any of its stems starting a word of the passage, any of
    its numbers or short names as a whole word, or any of its Chinese spellings in the text."""

    stems: frozenset[str]
    whole_words: frozenset[str]
    chinese: frozenset[str]


class Concepts:
    """The concepts of one question, with one pattern that finds all their Latin spellings."""

    def __init__(self, items: Sequence[Concept]):
        self.items = tuple(items)
        self._by_stem: dict[str, set[int]] = {}
        self._by_word: dict[str, set[int]] = {}
        for i, concept in enumerate(self.items):
            for s in concept.stems:
                self._by_stem.setdefault(s, set()).add(i)
            for w in concept.whole_words:
                self._by_word.setdefault(w, set()).add(i)
        self._stem_sizes = sorted({len(s) for s in self._by_stem})
        stems = sorted(self._by_stem, key=len, reverse=True)
        whole = sorted(self._by_word, key=len, reverse=True)
        parts = []
        if stems:
            parts.append("(?:" + "|".join(map(re.escape, stems)) + ")[a-z0-9]*")
        if whole:
            parts.append("(?:" + "|".join(map(re.escape, whole)) + r")(?![a-z0-9]|\.[0-9])")
        self._latin = re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + ")") if parts else None
        self._chinese = [(i, c.chinese) for i, c in enumerate(self.items) if c.chinese]

    def coverage(self, text: str) -> float:
        """Share of the concepts the text holds (0 when the question has none)."""
        if not self.items:
            return 0.0
        held: set[int] = set()
        if self._latin is not None:
            for word in set(self._latin.findall(text.lower())):
                held |= self._by_word.get(word, set())
                for size in self._stem_sizes:
                    held |= self._by_stem.get(word[:size], set())
        if self._chinese:
            compacted = compact(text)
            held.update(
                i for i, spellings in self._chinese if any(c in compacted for c in spellings)
            )
        return len(held) / len(self.items)


def concepts(query: Query, translations: Sequence[tuple[str, Sequence[str]]] = ()) -> Concepts:
    """The question's concepts: each Latin-script term of the question alone, each translated
    Chinese word with its English words (`translations`, from lexicon.py). Concepts that share a
    stem are one (训练 -> training and 练 -> train)."""
    groups: list[set[str]] = []
    if query.language != "zh":
        groups += [{_member(t)} for t in query.terms if " " not in t and not _CJK.search(t)]
    else:
        groups += [{_member(word)} for word in query.latin_words]
        groups += [{source, *map(_member, english)} for source, english in translations]
    return Concepts(tuple(_concept(members) for members in _merged(groups)))


def _merged(groups: Iterable[set[str]]) -> list[set[str]]:
    merged: list[set[str]] = []
    for group in groups:
        overlapping = [m for m in merged if m & group]
        for m in overlapping:
            group |= m
            merged.remove(m)
        merged.append(group)
    return merged


_WHOLE = "="  # marks a member matched as a whole word


def _member(word: str) -> str:
    """A Latin word as a concept holds it: numbers and short names whole, other words stemmed."""
    word = word.lower()
    if any(ch.isdigit() for ch in word) or len(word) <= _MIN_STEM:
        return _WHOLE + word
    return stem(word)


def _concept(members: set[str]) -> Concept:
    chinese = {compact(m) for m in members if _CJK.search(m)}
    latin = members - {m for m in members if _CJK.search(m)}
    return Concept(
        stems=frozenset(m for m in latin if not m.startswith(_WHOLE)),
        whole_words=frozenset(m[len(_WHOLE) :] for m in latin if m.startswith(_WHOLE)),
        chinese=frozenset(chinese),
    )
