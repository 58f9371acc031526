"""Index tokens and BM25 outside FTS5: the MongoDB store's index and the SQLite store's in-memory
postings (sqlite_postings.py) are made of them.

Passages are tokenized by the very tokenizer the SQLite FTS5 index uses (porter unicode61 with its
options, run on a private in-memory table), and scored with FTS5's bm25 formula, constants and
column weights, so every path ranks the same passages the same way, to the last bit.
"""

import hashlib
import json
import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from papershelf.core.chinese_script import table_digest
from papershelf.core.regional_words import words_digest
from papershelf.core.textindex import ANALYZER_VERSION, index_stored_text
from papershelf.storage.sqlite_fts import (
    BODY_WEIGHT,
    CREATE_FTS,
    FTS_TABLE,
    HEADING_WEIGHT,
    TITLE_WEIGHT,
)

K1, B = 1.2, 0.75  # FTS5's bm25 constants
_WEIGHTS = {"body": BODY_WEIGHT, "title": TITLE_WEIGHT, "heading": HEADING_WEIGHT}


# Text whose tokens show any change of the analyser: case folding, diacritics, CJK, digits, stems.
_PROBE = (
    "Pixel-Shuffle reduces VISUAL tokens: naïve Straße café 2504.05299v1 x² 42% "
    "像素重排如何减少视觉标记 ﬁnetuning running runs ran Ωmega ＦＵＬＬ"
)


@lru_cache(maxsize=1)
def mongo_analyzer_fingerprint() -> str:
    """Changes whenever the stored tokens of the same passage could change: taken from what the
    analyser makes of a probe text, not from library versions, so hosts whose SQLite or Python
    builds differ but tokenize alike share one index instead of rebuilding it on every open."""
    found = analyse_passages("A probe title", [("1 Probe heading", _PROBE)])[0]
    made = json.dumps([found.terms, found.weights, found.length], ensure_ascii=False)
    digest = hashlib.sha256(made.encode("utf-8")).hexdigest()[:16]
    return f"textindex-{ANALYZER_VERSION}/probe-{digest}/script-{table_digest()}/words-{words_digest()}"


@dataclass(frozen=True)
class PassageTerms:
    """A passage's distinct tokens, each with its column-weighted count, and its token count."""

    terms: list[str]
    weights: list[float]
    length: int


class _Tokenizer:
    """FTS5's tokenizer on an in-memory table; one thread at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._conn.execute(CREATE_FTS)
        self._conn.execute(
            f"CREATE VIRTUAL TABLE temp.instances USING fts5vocab(main, {FTS_TABLE}, 'instance')"
        )

    def analyse(self, rows: Sequence[tuple[str, str, str]]) -> list[PassageTerms]:
        """(body, title, heading) index texts -> their tokens, in row order."""
        counts: list[dict[str, float]] = [{} for _ in rows]
        lengths = [0] * len(rows)
        with self._lock:
            self._conn.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, body, title, heading) VALUES (?, ?, ?, ?)",
                [(i + 1, *row) for i, row in enumerate(rows)],
            )
            found = self._conn.execute(
                "SELECT doc, term, col, count(*) FROM temp.instances GROUP BY doc, term, col"
            ).fetchall()
            self._conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        for doc, term, column, number in found:
            weights = counts[doc - 1]
            weights[term] = weights.get(term, 0.0) + _WEIGHTS[column] * number
            lengths[doc - 1] += number
        return [
            PassageTerms(list(weights), list(weights.values()), length)
            for weights, length in zip(counts, lengths, strict=True)
        ]

    def phrase_counts(
        self, rows: Sequence[tuple[str, str, str]], phrase: tuple[str, ...]
    ) -> list[float]:
        """(body, title, heading) index texts -> the column-weighted number of places each holds
        the phrase's tokens at consecutive positions of one column, as FTS5 counts instances."""
        with self._lock:
            self._conn.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, body, title, heading) VALUES (?, ?, ?, ?)",
                [(i + 1, *row) for i, row in enumerate(rows)],
            )
            marks = ",".join("?" * len(set(phrase)))
            found = self._conn.execute(
                f"SELECT doc, col, offset, term FROM temp.instances WHERE term IN ({marks})",
                sorted(set(phrase)),
            ).fetchall()
            self._conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        at: dict[tuple[int, str, int], str] = {(d, c, o): t for d, c, o, t in found}
        counts = [0.0] * len(rows)
        for doc, column, offset, term in found:
            if term == phrase[0] and all(
                at.get((doc, column, offset + i)) == token for i, token in enumerate(phrase)
            ):
                counts[doc - 1] += _WEIGHTS[column]
        return counts

    def tokens(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """The tokens of each query term, in order (FTS5 reads a quoted term the same way); one
        round of statements for all of them."""
        with self._lock:
            self._conn.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (?, ?)",
                [(i + 1, text) for i, text in enumerate(texts)],
            )
            found = self._conn.execute(
                "SELECT doc, term FROM temp.instances ORDER BY doc, offset"
            ).fetchall()
            self._conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        tokens: list[list[str]] = [[] for _ in texts]
        for doc, term in found:
            tokens[doc - 1].append(term)
        return [tuple(each) for each in tokens]


_tokenizer = _Tokenizer()


def analyse_passages(title: str, rows: Iterable[tuple[str, str]]) -> list[PassageTerms]:
    """The tokens of one paper's (section heading, text) passages, its title in every passage."""
    indexed_title = index_stored_text(title)
    headings: dict[str, str] = {}
    values = []
    for heading, text in rows:
        if heading not in headings:
            headings[heading] = index_stored_text(heading)
        values.append((index_stored_text(text), indexed_title, headings[heading]))
    return _tokenizer.analyse(values) if values else []


def phrase_counts(rows: Iterable[tuple[str, str, str]], phrase: tuple[str, ...]) -> list[float]:
    """The weighted count of a phrase of several tokens in each (paper title, section heading,
    text) passage, as FTS5's bm25 counts it: only where the tokens stand next to each other."""
    values = [
        (index_stored_text(text), index_stored_text(title), index_stored_text(heading))
        for title, heading, text in rows
    ]
    return _tokenizer.phrase_counts(values, phrase) if values else []


TERMS_KEPT = 4096  # query terms recur (hosts repeat and page through questions)
_term_tokens: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_term_tokens_lock = threading.Lock()


def terms_tokens(terms: Sequence[str]) -> list[tuple[str, ...]]:
    """The tokens of each term; the terms not met lately are tokenized together."""
    with _term_tokens_lock:
        known = {term: _term_tokens[term] for term in terms if term in _term_tokens}
        for term in known:
            _term_tokens.move_to_end(term)
    missing = [term for term in dict.fromkeys(terms) if term not in known]
    if missing:
        made = dict(zip(missing, _tokenizer.tokens(missing), strict=True))
        known.update(made)
        with _term_tokens_lock:
            _term_tokens.update(made)
            while len(_term_tokens) > TERMS_KEPT:
                _term_tokens.popitem(last=False)
    return [known[term] for term in terms]


def query_phrases(terms: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(term, its tokens) for the distinct searchable terms, in order; the SQLite store turns the
    same terms into the same FTS5 phrases (`match_expression`)."""
    searchable = [
        term
        for term in dict.fromkeys(term.strip() for term in terms)
        if any(char.isalnum() for char in term)
    ]
    return [
        (term, tokens)
        for term, tokens in zip(searchable, terms_tokens(searchable), strict=True)
        if tokens
    ]


def idf(rows: int, hits: int) -> float:
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else 1e-6
