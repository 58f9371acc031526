"""Text analysis shared by indexing and querying: turns English and CJK text into index terms.

Storage indexes `index_text(...)` and search asks for `query_terms(...)`, so both sides agree.
"""

import re
import unicodedata

from papershelf.core.chinese_script import to_simplified
from papershelf.core.regional_words import (
    in_mainland_words,
    mainland_words,
    stored_in_taiwan_wording,
)
from papershelf.core.tokens import CJK_CHAR

# Bump whenever index_text's output changes: stores rebuild their index when it differs.
# 2: traditional Chinese folded into simplified (chinese_script.py).
# 3: the author filter's names folded as the index folds text (a rebuild refolds them).
# 4: stored text in traditional script also indexed with the mainland's words for Taiwan's.
ANALYZER_VERSION = 4

_CJK_WITH_EXTENSIONS = CJK_CHAR + "\U00020000-\U0002ebef"
_WORD = rf"[^\W_{_CJK_WITH_EXTENSIONS}]+"
# A dot stays inside a token only between digits, so '81.6', 'v1.5' and 'qwen2.5' are units
# while sentence ends and 'e.g.' split.
_PIECE = re.compile(
    rf"(?P<cjk>[{_CJK_WITH_EXTENSIONS}]+)|(?P<word>{_WORD}(?:(?<=\d)\.(?=\d){_WORD})*)"
)

ENGLISH_STOPWORDS = frozenset(
    """a about an and are as at be been but by can could do does did for from had has have how
    i if in into is it its me my of on or our please should so than that the their them then
    there these they this those to was we were what when where which who whom whose why will
    with would you your""".split()  # noqa: SIM905 (a word list reads best as words)
)
# Cut out of a CJK query run before it is split into bigrams.
CHINESE_STOP_PHRASES = (
    "为什么",
    "有哪些",
    "是什么",
    "怎么样",
    "请问",
    "什么",
    "哪些",
    "如何",
    "怎么",
    "怎样",
    "是否",
    "一下",
)
# Particles also split a run ('模型的结构' -> '模型', '结构'), except inside the few common words
# that contain one; a lone character between particles keeps its bigrams with them.
CHINESE_PARTICLES = "的吗呢吧啊"
CHINESE_STOP_CHARS = frozenset(CHINESE_PARTICLES + "了是和与在及或有")
_CHINESE_STOP_PHRASE = re.compile("|".join(map(re.escape, CHINESE_STOP_PHRASES)))
_BETWEEN_PARTICLES = re.compile(f"(?:目的|的确|有的|[^{CHINESE_PARTICLES}])+")


def fold(text: str) -> str:
    """Text as indexing and matching compare it: NFKC, lower case, simplified Chinese script."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


# Between the two wordings of a stored text in `fold_stored`: a line, and a full stop for the
# sentence splits.
WORDINGS_APART = "\n。"


def stored_wordings(text: str) -> tuple[str, ...]:
    """A stored text (passage, title) as matching compares it with questions: `fold`, and for one
    written in traditional script, also the same text in the mainland's words for its Taiwan
    words (when they differ). Each wording stays whole, so a run quoted across a word boundary is
    found in either."""
    plain = unicodedata.normalize("NFKC", text).lower()
    folded = to_simplified(plain)
    if not stored_in_taiwan_wording(plain, folded):
        return (folded,)
    mainland = in_mainland_words(folded)
    return (folded,) if mainland == folded else (folded, mainland)


def fold_stored(text: str) -> str:
    """`stored_wordings`, one after the other."""
    return WORDINGS_APART.join(stored_wordings(text))


def _cjk_bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """Space-separated index tokens: words and numbers as they are, CJK as bigrams plus characters."""
    return _index_folded(fold(text))


def index_stored_text(text: str) -> str:
    """The index tokens of a stored title, heading or passage: `index_text`'s, and for one
    written in traditional script those of the mainland's words for its Taiwan words too, so a
    question in the mainland's words (软件) finds a text written in Taiwan (軟體)."""
    plain = unicodedata.normalize("NFKC", text).lower()
    folded = to_simplified(plain)
    tokens = _index_folded(folded)
    if not stored_in_taiwan_wording(plain, folded):
        return tokens
    return " ".join([tokens, *map(_index_folded, mainland_words(folded))])


def _index_folded(folded: str) -> str:
    tokens: list[str] = []
    for match in _PIECE.finditer(folded):
        run = match.group("cjk")
        if run is None:
            tokens.append(match.group("word"))
        elif len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(_cjk_bigrams(run))
            tokens.extend(run)
    return " ".join(tokens)


def _query_pieces(query: str) -> list[tuple[str, bool]]:
    """(term, is_stopword) in query order."""
    pieces: list[tuple[str, bool]] = []
    for match in _PIECE.finditer(fold(query)):
        word = match.group("word")
        if word is not None:
            pieces.append((word, word in ENGLISH_STOPWORDS))
        else:
            pieces.extend(_cjk_query_pieces(match.group("cjk")))
    return pieces


def _cjk_query_pieces(run: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    for part in _CHINESE_STOP_PHRASE.split(run):
        if len(part) == 1:
            pieces.append((part, part in CHINESE_STOP_CHARS))
            continue
        for segment in _BETWEEN_PARTICLES.finditer(part):
            start, end = segment.span()
            if end - start >= 2:
                pieces.extend((bigram, False) for bigram in _cjk_bigrams(segment.group()))
            else:
                pieces.extend(
                    (part[i : i + 2], False) for i in (start - 1, start) if 0 <= i < len(part) - 1
                )
    if not pieces:
        pieces = [(char, True) for char in run]
    return pieces


def query_terms(query: str) -> list[str]:
    """The distinct index terms of a user query, stopwords dropped unless nothing else is left."""
    pieces = _query_pieces(query)
    meaningful = [term for term, is_stopword in pieces if not is_stopword]
    chosen = meaningful or [term for term, _ in pieces]
    return list(dict.fromkeys(chosen))


# English words of the corpus, counted per passage: the lexicon that carries Chinese query words
# over to English ones (see papershelf.search.lexicon). At least 3 letters, ends on a letter.
_LEXICON_WORD = re.compile(r"[a-z][a-z\-]{1,28}[a-z]")


def lexicon_terms(text: str) -> set[str]:
    """The distinct English words of a text that enter the cross-lingual lexicon."""
    return {
        word
        for word in _LEXICON_WORD.findall(text.lower())
        if word not in ENGLISH_STOPWORDS and "--" not in word
    }
