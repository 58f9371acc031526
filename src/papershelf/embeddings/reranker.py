"""The Reranker protocol: a model that reads the question together with each passage (a
cross-encoder, e.g. bge-reranker-v2-m3 or Qwen3-Reranker) and scores how well the passage answers
it. Slower than comparing vectors, so the search asks it only about its first candidates."""

import math
from collections.abc import Sequence
from typing import Protocol

from papershelf.core.errors import SourceUnavailable

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


def checked_scores(results: object, expected: int, source: str) -> list[float]:
    """The scores of a rerank answer's `results` ([{index, relevance_score}], the shape of Jina,
    Cohere and llama.cpp), in the order of the passages sent. SourceUnavailable, naming `source`,
    unless each of the `expected` passages has exactly one finite score."""
    scores: dict[int, float] = {}
    try:
        for result in results:  # type: ignore[attr-defined]
            index, score = int(result["index"]), float(result["relevance_score"])
            if index in scores or not 0 <= index < expected:
                raise ValueError(f"index {index} given twice or out of range")
            if not math.isfinite(score):
                raise ValueError(f"score {score} for passage {index}")
            scores[index] = score
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise SourceUnavailable(
            f"{source} did not answer in the rerank format ({{results: [{{index, "
            f"relevance_score}}]}}, one finite score a passage): {exc}"
        ) from exc
    if len(scores) != expected:
        raise SourceUnavailable(f"{source} scored {len(scores)} of {expected} passages")
    return [scores[index] for index in range(expected)]
