"""Embedding the passages that have no vector for the current embedder, batch by batch.

Only passages without a vector from this embedder are embedded, so adding one paper to a large
library embeds that paper alone, and switching embedders rebuilds everything once. Each batch is
stored in its own transaction: an interrupted run keeps what it finished.
"""

from collections.abc import Callable, Sequence

from papershelf.embeddings.base import Embedder
from papershelf.search.lexicon import embed_missing_terms
from papershelf.storage.base import PendingPassage, Store

# Bump when the text handed to the embedder changes: stored vectors are tagged with it.
RECIPE_VERSION = 1
BATCH_SIZE = 64

IndexProgress = Callable[[int, int], None]  # (passages embedded so far, total to embed)


def vector_space(embedder: Embedder) -> str:
    """The id stored vectors are tagged with: the model and how passages are shown to it."""
    return f"{embedder.model_id}#text{RECIPE_VERSION}"


def embedding_text(passage: PendingPassage) -> str:
    """What the embedder sees (see `shown_text`)."""
    return shown_text(passage.title, passage.section, passage.text)


def shown_text(title: str, section: str, text: str) -> str:
    """A passage as a model reads it: the paper title and heading carry the topic a passage often
    only implies ('it', 'our model'), then the passage itself."""
    heading = section.split(" > ")[-1].strip()
    context = " | ".join(part for part in (title.strip(), heading) if part)
    return f"{context}\n{text}" if context else text


def embed_missing(
    store: Store,
    embedder: Embedder,
    *,
    paper_ids: Sequence[str] | None = None,
    progress: IndexProgress | None = None,
    batch_size: int = BATCH_SIZE,
    word_embedder: Embedder | None = None,
) -> int:
    """Embed and store every passage (of `paper_ids`, when given) missing a vector, then the new
    words of the lexicon (with `word_embedder`, default `embedder`); how many passages."""
    space = vector_space(embedder)
    total = store.count_missing_vectors(space, paper_ids)
    done = 0
    if progress is not None:
        progress(done, total)
    while done < total:
        pending = store.passages_missing_vectors(space, limit=batch_size, paper_ids=paper_ids)
        if not pending:
            break  # another process finished the rest
        matrix = embedder.embed_documents([embedding_text(p) for p in pending])
        store.set_vectors(space, [p.key for p in pending], matrix)
        done += len(pending)
        if progress is not None:
            progress(min(done, total), total)
    # New passages bring few new words (~2 per passage, ~1 ms each): no progress of their own.
    words = word_embedder or embedder
    embed_missing_terms(store, words, vector_space(words))
    return done
