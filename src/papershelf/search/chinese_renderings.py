"""Cross-lingual lexical search the other way: an English question's words carried over to the
Chinese words of the library's Chinese papers and articles.

An English question about a Chinese text meets it lexically only through the names and numbers the
text spells in Latin letters ('SmolVLM', '256M'); the dense list finds such passages but ranks them
behind English ones that share the question's words. The bilingual dictionary read backwards
(dictionary.Dictionary.chinese) gives each English word its candidate Chinese words; those the
library holds are kept, and among them the embedder picks the closest (datasets -> 数据集,
tokenized -> 分词, pruning -> 剪枝, mixture -> 融合). The Chinese words join
the lexical query as their bigrams and the question's concepts as other spellings of its words.
Measured in docs/retrieval-notes.md §14.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from papershelf.core.textindex import index_text
from papershelf.embeddings.base import Embedder
from papershelf.search.concepts import Translation
from papershelf.search.dictionary import Dictionary
from papershelf.search.query import Query
from papershelf.storage.base import Store

# The commonest Chinese characters, one of which any Chinese paragraph holds: a library whose
# index has none of them holds no Chinese text, and its English questions need no renderings
# (nothing else is read or embedded for them).
COMMON_CHINESE = tuple("的是在了和有不为")
# Chinese words kept per English word (or run of words), closest first, and the cosine (USE v3)
# from which a Chinese word renders one. Dev hybrid R@5 (docs/retrieval-notes.md §14): 0.908 at
# 2 / 0.5 and 1 / 0.5, 0.923 at 2 / 0.6.
RENDERINGS_PER_WORD = 2
MIN_SIMILARITY = 0.6
# Candidates of one word the embedder weighs at most, those the dictionary ranks first: common
# words have hundreds ('make' ~430 headwords), and a question is embedded for each of them once.
CANDIDATES_PER_WORD = 24
# Longest run of question words looked up together ('stochastic gradient descent').
LONGEST_RUN = 3
# Vectors kept of English words and their candidate Chinese words (512 floats each).
VECTORS_KEPT = 20_000

Run = tuple[str, ...]


def question_runs(query: Query) -> list[Run]:
    """The English words of a question worth rendering (letters only, three or more), and runs of
    up to LONGEST_RUN adjacent words, which the glossary's terms of several words answer
    ('zero shot' from 'zero-shot', 'batch normalization')."""
    words = [term for term in query.terms if term.isalpha() and term.isascii()]
    runs: list[Run] = [(word,) for word in words if len(word) >= 3]
    for size in range(2, LONGEST_RUN + 1):
        runs.extend(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return runs


@lru_cache(maxsize=1 << 16)  # an English word has up to hundreds of candidates, met again
def bigrams(word: str) -> tuple[str, ...]:
    """The index tokens a Chinese word's text holds when it is in a passage: its bigrams."""
    return tuple(token for token in index_text(word).split() if len(token) == 2)


class ChineseRenderings:
    """Chinese words of one store's library for the words of English questions."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None,
        dictionary: Callable[[], Dictionary | None],
    ):
        self.store = store
        self.embedder = embedder
        self.dictionary = dictionary
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def translations(self, query: Query) -> list[Translation]:
        """(Chinese word, [English words it renders]) for the English words of `query` that have
        Chinese words in this library; empty for a Chinese question or a library with no
        Chinese text."""
        runs = question_runs(query) if query.language == "en" else []
        if not runs or not self.store.indexed_tokens(COMMON_CHINESE):
            return []
        dictionary = self.dictionary()
        if dictionary is None:
            return []
        candidates = {run: dictionary.chinese(run) for run in runs}
        tokens = {
            token for heads in candidates.values() for head in heads for token in bigrams(head)
        }
        held = self.store.indexed_tokens(sorted(tokens))
        present: dict[Run, list[str]] = {}
        for run, heads in candidates.items():
            kept = [head for head in heads if held.issuperset(bigrams(head))]
            if self.embedder is None:
                # No embedder to weigh a general entry's senses: glossary terms alone.
                kept = [head for head in kept if dictionary.is_term(head)]
            if kept:
                present[run] = kept[:CANDIDATES_PER_WORD]
        if self.embedder is None:
            return [
                (head, [run])
                for run, heads in present.items()
                for head in heads[:RENDERINGS_PER_WORD]
            ]
        vectors = self._vectors_of(
            [" ".join(run) for run in present] + [h for heads in present.values() for h in heads]
        )
        found: list[Translation] = []
        for run, heads in present.items():
            similarity = np.stack([vectors[head] for head in heads]) @ vectors[" ".join(run)]
            for i in np.argsort(-similarity, kind="stable")[:RENDERINGS_PER_WORD]:
                if similarity[i] >= MIN_SIMILARITY:
                    found.append((heads[int(i)], [run]))
        return found

    def _vectors_of(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of the texts, from those kept where it can (the least recently used go)."""
        assert self.embedder is not None
        wanted = list(dict.fromkeys(texts))
        known: dict[str, np.ndarray] = {}
        with self._lock:
            for text in wanted:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    known[text] = self._vectors[text]
        missing = [text for text in wanted if text not in known]
        if missing:
            known.update(zip(missing, self.embedder.embed_documents(missing), strict=True))
            with self._lock:
                self._vectors.update((text, known[text]) for text in missing)
                while len(self._vectors) > VECTORS_KEPT:
                    self._vectors.popitem(last=False)
        return known


def chinese_terms(translations: list[Translation]) -> list[str]:
    """The index terms of renderings' Chinese words, each once: what lexical search adds."""
    return list(dict.fromkeys(token for head, _ in translations for token in bigrams(head)))
