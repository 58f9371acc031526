"""A tiny BERT model written as GGUF by the tests (bench/shaped_gguf.py): one layer, random
weights and a short context, so llama.cpp runs it as a real (if meaningless) model and refuses
texts longer than its context. As an embedding model its metadata names mean pooling; as a
reranker it has a classification head and names rank pooling."""

from dataclasses import replace
from pathlib import Path

from bench.shaped_gguf import TINY, write_bert

WIDTH = TINY.width


def write_tiny_bert(
    path: Path, *, context: int = 16, seed: int = 0, rank_head: bool = False
) -> Path:
    return write_bert(path, replace(TINY, context=context), seed=seed, rank_head=rank_head)
