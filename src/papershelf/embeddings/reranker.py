"""The Reranker protocol: a model that reads the question together with each passage (a
cross-encoder, e.g. bge-reranker-v2-m3 or Qwen3-Reranker) and scores how well the passage answers
it. Slower than comparing vectors, so the search asks it only about its first candidates."""

from collections.abc import Sequence
from typing import Protocol

USAGE = (
    "use 'none', 'gguf:<file.gguf or owner/repo/file.gguf>' (llama.cpp in process, extra "
    "embedded; e.g. gguf:gpustack/bge-reranker-v2-m3-GGUF/bge-reranker-v2-m3-Q8_0.gguf) or "
    "'api:<model>' (a /v1/rerank endpoint at PAPERSHELF_RERANKER_URL: llama.cpp's llama-server "
    "--reranking, vLLM, Jina, Cohere)"
)


class Reranker(Protocol):
    """Scores passages against one question; a higher score is a better answer."""

    model_id: str

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """One score per text, in the order given."""
