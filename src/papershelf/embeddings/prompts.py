"""The instructions that retrieval-trained embedding models expect before a query and before a
passage. Such a model embeds unprefixed text in another part of its space: a question then lands
away from the passages that answer it (measured for EmbeddingGemma in docs/retrieval-notes.md §21).
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RetrievalPrompts:
    """Text put before every query and before every passage the model embeds."""

    query: str = ""
    document: str = ""

    def tag(self) -> str:
        """What the prompts add to an embedder's model id (vectors made with other prompts are
        other vectors): nothing when there are none."""
        return f"[{self.query}|{self.document}]" if self.query or self.document else ""


_WEB_SEARCH = "Instruct: Given a web search query, retrieve relevant passages that answer the query"

# From each model's card, matched in order against the lower-cased model name (hub id, local
# path or Ollama tag); the first match wins, so the instruct variant of E5 comes before E5.
KNOWN_PROMPTS: tuple[tuple[str, RetrievalPrompts], ...] = (
    ("embeddinggemma", RetrievalPrompts("task: search result | query: ", "title: none | text: ")),
    ("nomic-embed-text", RetrievalPrompts("search_query: ", "search_document: ")),
    ("qwen3-embedding", RetrievalPrompts(f"{_WEB_SEARCH}\nQuery:")),
    (r"(^|[/_:-])e5-.*instruct", RetrievalPrompts(f"{_WEB_SEARCH}\nQuery: ")),
    (r"(^|[/_:-])e5([-_:.]|$)", RetrievalPrompts("query: ", "passage: ")),
    (
        "mxbai-embed-large",
        RetrievalPrompts("Represent this sentence for searching relevant passages: "),
    ),
)


def known_prompts(model: str) -> RetrievalPrompts:
    """The prompts a model's card asks for, or none for a model not in `KNOWN_PROMPTS` (bge-m3,
    OpenAI's models and the like embed queries and passages alike)."""
    name = model.lower()
    for pattern, prompts in KNOWN_PROMPTS:
        if re.search(pattern, name):
            return prompts
    return RetrievalPrompts()


def chosen_prompts(model: str, query: str | None, document: str | None) -> RetrievalPrompts:
    """The prompts set in the settings when either is set (an empty one means none), else the
    model's known ones."""
    if query is None and document is None:
        return known_prompts(model)
    return RetrievalPrompts(query or "", document or "")
