"""Query analysis: what a user's question says to each retriever.

The lexical side gets index terms (CJK bigrams, stopwords dropped, numbers and versions whole)
plus quoted phrases as phrase terms; the dense side gets the question as written, without quote
marks. The language tells the fusion how far lexical matches can be trusted.
"""

import re
from dataclasses import dataclass

from papershelf.core.textindex import index_text, query_terms
from papershelf.core.tokens import cjk_ratio

# "…", “…”, 「…」 and 『…』 mark an exact phrase.
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』')
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-.]*")


@dataclass(frozen=True)
class Query:
    text: str  # for the dense retriever
    language: str  # 'zh' or 'en'
    terms: list[str]  # for the lexical retriever, phrases included
    phrases: list[str]
    numbers: list[str]
    latin_words: list[str]  # Latin-script words inside a CJK question: names, acronyms


def analyse(query: str) -> Query:
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
