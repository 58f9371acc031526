"""The instructions that retrieval-trained embedding models expect before a query and before a
passage, as their model cards ask. For EmbeddingGemma with its passage prompt, leaving the query
prompt off moved dense recall@5 from 0.874 to 0.857 and recall@1 from 0.504 to 0.542, hybrid
recall@5 staying at 0.903 (docs/retrieval-notes.md §21): small, mixed, so the cards are followed.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RetrievalPrompts:
    """Text put before every query and before every passage the model embeds."""

    query: str = ""
    document: str = ""

    def tag(self) -> str:
        """What the prompts add to an embedder's model id (vectors made with other prompts are
        other vectors): nothing when there are none. JSON, since prompts may hold any character
        ('|' in EmbeddingGemma's, a newline in Qwen3's)."""
        if not (self.query or self.document):
            return ""
        return json.dumps([self.query, self.document], ensure_ascii=False)


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

# The names sentence-transformers gives a model's query and passage prompts (`encode_query` and
# `encode_document` look for the same).
_QUERY_NAMES = ("query", "Retrieval-query")
_DOCUMENT_NAMES = ("document", "passage", "corpus", "Retrieval-document")


def known_prompts(model: str) -> RetrievalPrompts:
    """The prompts a model's card asks for, or none for a model not in `KNOWN_PROMPTS` (bge-m3,
    OpenAI's models and the like embed queries and passages alike). Only the name's last part
    counts, so the folders a local model sits in do not."""
    name = model.lower().replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    for pattern, prompts in KNOWN_PROMPTS:
        if re.search(pattern, name):
            return prompts
    return RetrievalPrompts()


def set_prompts(query: str | None, document: str | None) -> RetrievalPrompts | None:
    """The prompts the settings choose, when either is set (an empty one means none)."""
    if query is None and document is None:
        return None
    return RetrievalPrompts(query or "", document or "")


def saved_prompts(model_dir: Path) -> RetrievalPrompts | None:
    """The retrieval prompts a sentence-transformers model saved in its folder names, if any."""
    try:
        config_file = model_dir.expanduser() / "config_sentence_transformers.json"
        config = json.loads(config_file.read_text("utf-8"))
        saved = config.get("prompts") or {}
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(saved, dict):
        return None
    query = next((saved[k] for k in _QUERY_NAMES if isinstance(saved.get(k), str)), "")
    document = next((saved[k] for k in _DOCUMENT_NAMES if isinstance(saved.get(k), str)), "")
    return RetrievalPrompts(query, document) if query or document else None
