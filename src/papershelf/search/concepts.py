"""The concepts of a question, and how many of them a passage covers.

BM25 over a question expanded with translations and synonyms scores each English word on its
own: a passage repeating three renderings of one Chinese word ('effect', 'effects',
'effectiveness') outscores one that holds one rendering of each of three words. Counting the
question's concepts a passage holds (coordination level matching) restores what the question
asks for: every word of the question's Latin text is a concept; a Chinese word is one concept
together with its English renderings. Measured on the eval set (docs/retrieval-notes.md §8).
The concepts a passage holds within two adjacent sentences count too (§11): held close
together, they more likely answer the question.
"""

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from papershelf.core.textindex import WORDINGS_APART, stored_wordings
from papershelf.core.tokens import CJK_CHAR
from papershelf.search.query import Query, compact, compact_stored

# Endings removed before matching, longest first: enough to meet a question's 'scaling' in a
# passage's 'scaled' or 'scales' (no stemmer agrees with FTS5's Porter exactly, and none needs to:
# both sides of this comparison go through the same function).
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "ly", "e")
# Shortest stem kept: 'rate' -> 'rat' would meet 'rather' and 'ratio'.
_MIN_STEM = 4
# Words this short, and words with digits, match whole: 'vgg', '5' (not '50'), '60.6'.
_SHORT_WORD = 3
_CJK = re.compile(f"[{CJK_CHAR}]")
# Sentences in the window `nearby_coverage` looks at: concepts held in one or two adjacent
# sentences are more likely the answer than the same concepts scattered through a passage (term
# proximity). 2 beat 1 and 3 sentences and windows of 20-80 words (docs/retrieval-notes.md §11).
WINDOW_SENTENCES = 2
# A sentence ends at . ! ? ; before a space or a CJK character (NFKC folds the full-width ！？；
# of CJK text, which puts no space after them, to these), or at a CJK full stop.
_SENTENCE_END = re.compile(f"[.!?;](?=\\s|[{CJK_CHAR}])|。")

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
    or with one of its Chinese spellings. The question's own words are among them (`own_forms`,
    `own_chinese`); the rest are translations."""

    forms: frozenset[tuple[Word, ...]]
    chinese: frozenset[str]
    own_forms: frozenset[tuple[Word, ...]] = frozenset()
    own_chinese: frozenset[str] = frozenset()


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
        present, compacted = self._present(text, cached=True)
        held = 0
        for concept in self.items:
            if any(present.issuperset(form) for form in concept.forms) or any(
                spelling in compacted for spelling in concept.chinese
            ):
                held += 1
        return held / len(self.items)

    def held(self, text: str, *, translated: bool = True) -> frozenset[int]:
        """The concepts the text holds, as indices into `items`. With `translated` false, a
        concept counts only by the question's own words, not by their translations (they are
        looser than the question's words)."""
        present, compacted = self._present(text, cached=False)
        return frozenset(
            i
            for i, concept in enumerate(self.items)
            if any(
                spelling in compacted
                for spelling in (concept.chinese if translated else concept.own_chinese)
            )
            or any(
                present.issuperset(form)
                for form in (concept.forms if translated else concept.own_forms)
            )
        )

    def _present(self, text: str, *, cached: bool) -> tuple[set[Word], str]:
        """The question's words the text holds, and the text compacted for Chinese spellings
        (empty when no concept has one). Passages recur across questions and are read through
        the caches; titles (one per candidate paper) would push them out."""
        ordered, unique = _words_of(text) if cached else _read_words(text)
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
        if not self._chinese:
            return present, ""
        return present, compact_stored(text) if cached else compact_stored.__wrapped__(text)

    def nearby_coverage(self, text: str) -> float:
        """Share of the concepts held by the best window of WINDOW_SENTENCES adjacent sentences
        of the text (all of it when it is no longer). Never above `coverage`; reads the text
        sentence by sentence, so it costs about twice as much."""
        if not self.items:
            return 0.0
        read = _read(text)
        sentences_of = self._sentences_of_words(read)
        # Window i holds sentences i .. i + WINDOW_SENTENCES - 1; masks below are of windows.
        last = max(0, len(read.sentences) - WINDOW_SENTENCES)
        valid = (1 << (last + 1)) - 1

        def windows_with(sentences: int) -> int:
            spread = 0
            for shift in range(WINDOW_SENTENCES):
                spread |= sentences >> shift
            return spread & valid

        held: list[int] = []  # per concept held somewhere: the windows holding it
        for concept in self.items:
            chinese = self._chinese_sentences(concept, read) if concept.chinese else 0
            windows = windows_with(chinese)
            for form in concept.forms:
                together = valid
                for word in form:
                    together &= windows_with(sentences_of[word])
                windows |= together
            if windows:
                held.append(windows)
        best = 0
        pending = 0  # the windows holding any concept
        for windows in held:
            pending |= windows
        while pending:
            at = (pending & -pending).bit_length() - 1
            pending &= pending - 1
            best = max(best, sum(windows >> at & 1 for windows in held))
        return best / len(self.items)

    @staticmethod
    def _chinese_sentences(concept: Concept, read: "_Read") -> int:
        found = 0
        for spelling in concept.chinese:
            if spelling in read.compacted:
                for i, sentence in enumerate(read.sentences):
                    if spelling in "".join(sentence.split()):
                        found |= 1 << i
        return found

    def _sentences_of_words(self, read: "_Read") -> dict[Word, int]:
        """Each question word's sentences in the passage, as a bit mask (0: not held)."""
        realized: dict[str, list[Word]] = {}  # passage word -> the question words it is
        for word in self._words:
            spelling, whole = word
            if whole:
                if spelling in read.unique:
                    realized.setdefault(spelling, []).append(word)
                continue
            # Passage words starting with the stem sort from the first one not before it.
            at = bisect_left(read.ordered, spelling)
            while at < len(read.ordered) and read.ordered[at].startswith(spelling):
                realized.setdefault(read.ordered[at], []).append(word)
                at += 1
        found = dict.fromkeys(self._words, 0)
        if realized:
            for i, words in enumerate(read.words):
                for passage_word in words & realized.keys():
                    for word in realized[passage_word]:
                        found[word] |= 1 << i
        return found


# A passage's words as the question's are compared with them: hyphens split ('top-5'), decimals
# and thousands stay whole ('0.5', '1,000'), so '5' is never found inside a number.
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")


def _read_words(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    words = frozenset(_WORD.findall(unicodedata.normalize("NFKC", text).lower()))
    return tuple(sorted(words)), words


# Candidates recur across questions, like compact()'s.
_words_of = lru_cache(maxsize=8192)(_read_words)


@dataclass(frozen=True)
class _Read:
    """A passage as concepts are matched against it, sentence by sentence."""

    ordered: tuple[str, ...]  # its distinct words, sorted
    unique: frozenset[str]  # the same, as a set
    words: tuple[frozenset[str], ...]  # each sentence's words
    sentences: tuple[str, ...]  # folded (NFKC, lower case)
    compacted: str  # the whole text as compact() makes it, for Chinese spellings


@lru_cache(maxsize=4096)
def _read(text: str) -> _Read:
    """The text split into sentences (after folding, so full-width marks end them too and
    traditional Chinese meets the question's simplified spellings). A text written in Taiwan's
    wording is read a second time in the mainland's words (`stored_wordings`), after empty
    sentences that keep any window from holding both; its words are counted in the first."""
    wordings = stored_wordings(text)
    own, *others = [_sentences(wording) for wording in wordings]
    sentences = list(own)
    for more in others:
        sentences += [""] * (WINDOW_SENTENCES - 1) + more
    own_count = len(own)
    words = tuple(
        frozenset(_WORD.findall(sentence)) if i < own_count else frozenset()
        for i, sentence in enumerate(sentences)
    )
    ordered, unique = _words_of(text)  # the union of `words`, read already by `coverage`
    compacted = "".join(WORDINGS_APART.join(wordings).split())  # as compact_stored makes it
    return _Read(ordered, unique, words, tuple(sentences), compacted)


def _sentences(folded: str) -> list[str]:
    ends = [end.end() for end in _SENTENCE_END.finditer(folded)]
    pieces = [folded[a:b] for a, b in zip([0, *ends], [*ends, len(folded)], strict=True)]
    return [piece for piece in pieces if piece.strip()] or [folded]


def concepts(query: Query, translations: Sequence[Translation] = ()) -> Concepts:
    """The question's concepts: each Latin-script term of the question alone (numbers and names
    in a Chinese question too), each translated Chinese word with its English renderings
    (`translations`). Translations of one Chinese word by two routes (the dictionary's 缩放 and
    the embedder's piece 缩放和) are one concept when one word contains the other or they share a
    rendering. An English question's translations go the other way (chinese_renderings.py): a
    Chinese word rendering some of its words ('zero shot' -> 零样本) is another spelling of each
    of those words' concepts, and never joins two of them."""
    groups: list[tuple[set[str], set[Form]]] = []
    own: set[Form] = set()
    for term in query.terms:
        if " " not in term and not _CJK.search(term):
            groups.append((set(), {(term,)}))
            own.add((term,))
    if query.language == "en":
        spellings = {form[0]: chinese for chinese, forms in groups for form in forms}
        for source, forms in translations:
            for word in {word for form in forms for word in form}:
                if word in spellings:
                    spellings[word].add(source)
        return Concepts(tuple(_concept(chinese, forms, forms, set()) for chinese, forms in groups))
    for source, forms in translations:
        groups.append(({source}, set(forms)))
    return Concepts(
        tuple(_concept(chinese, forms, own & forms, chinese) for chinese, forms in _merged(groups))
    )


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


def _concept(
    chinese: set[str], forms: set[Form], own_forms: set[Form], own_chinese: set[str]
) -> Concept:
    return Concept(
        forms=_words_of_forms(forms),
        chinese=frozenset(compact(c) for c in chinese),
        own_forms=_words_of_forms(own_forms),
        own_chinese=frozenset(compact(c) for c in own_chinese),
    )


def _words_of_forms(forms: set[Form]) -> frozenset[tuple[Word, ...]]:
    # Form words split as passage words are ('zero-shot' needs 'zero' and 'shot').
    return frozenset(
        words
        for words in (
            tuple(word_of(part) for w in form for part in _WORD.findall(w.lower()))
            for form in forms
        )
        if words
    )
