"""Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint: Ollama, vLLM, llama.cpp
server, OpenAI, DashScope and the like."""

from collections.abc import Sequence

import httpx
import numpy as np

from papershelf.core.endpoints import openai_base_url
from papershelf.core.errors import SourceUnavailable
from papershelf.core.http_clients import post_json, refusal, service_client
from papershelf.embeddings.base import unit_rows
from papershelf.embeddings.prompts import RetrievalPrompts

# Servers cap the inputs of one request (OpenAI: 2048; Ollama and vLLM: memory); 64 passages of
# ~300 tokens stay under every cap we know while keeping round trips few.
BATCH_SIZE = 64


class OpenAICompatEmbedder:
    """One embedding model at one endpoint. `dimensions` is learnt from the first answer."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 60.0,
        query_prefix: str = "",
        document_prefix: str = "",
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = openai_base_url(base_url)
        self.model = model
        # The endpoint does not change the vectors, the model and prefixes do.
        self.model_id = f"openai:{model}" + RetrievalPrompts(query_prefix, document_prefix).tag()
        self._query_prefix = query_prefix
        self._document_prefix = document_prefix
        self._timeout = timeout
        self._dimensions: int | None = None
        self._http = service_client(api_key, timeout, transport)

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            self.embed_query("dimensions")
        assert self._dimensions is not None
        return self._dimensions

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = [self._document_prefix + text for text in texts[start : start + BATCH_SIZE]]
            rows.append(self._request(batch))
        if not rows:
            return np.zeros((0, self._dimensions or 0), dtype=np.float32)
        return np.concatenate(rows)

    def embed_query(self, text: str) -> np.ndarray:
        return self._request([self._query_prefix + text])[0]

    def _request(self, texts: list[str]) -> np.ndarray:
        response = post_json(
            self._http,
            f"{self.base_url}/embeddings",
            {"model": self.model, "input": texts},
            service=f"the embedding endpoint {self.base_url}",
            if_slow="check that it is running, or set PAPERSHELF_EMBEDDER to the built-in model",
            if_unreachable="start it (e.g. `ollama serve`) or fix PAPERSHELF_EMBEDDINGS_URL",
        )
        if response.status_code != 200:
            raise SourceUnavailable(self._status_message(response))
        return self._vectors(response, len(texts))

    def _status_message(self, response: httpx.Response) -> str:
        key = "set PAPERSHELF_EMBEDDINGS_API_KEY"
        missing = (
            f"the endpoint has no model {self.model!r} or no /embeddings route "
            f"(for Ollama: `ollama pull {self.model}`)"
        )
        return refusal(
            f"the embedding endpoint {self.base_url}", response, {401: key, 403: key, 404: missing}
        )

    def _vectors(self, response: httpx.Response, expected: int) -> np.ndarray:
        try:
            items = sorted(response.json()["data"], key=lambda item: item.get("index", 0))
            matrix = np.array([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SourceUnavailable(
                f"the embedding endpoint {self.base_url} did not answer in the OpenAI format "
                "({data: [{embedding: [...]}]}); is it an OpenAI-compatible /v1 URL?"
            ) from exc
        if matrix.ndim != 2 or len(matrix) != expected:
            raise SourceUnavailable(
                f"the embedding endpoint {self.base_url} returned {len(matrix)} vectors for "
                f"{expected} texts; check the model {self.model!r} is an embedding model"
            )
        if self._dimensions is None:
            self._dimensions = int(matrix.shape[1])
        elif matrix.shape[1] != self._dimensions:
            raise SourceUnavailable(
                f"the embedding endpoint {self.base_url} changed vector size "
                f"({self._dimensions} -> {matrix.shape[1]}); was the model swapped?"
            )
        return unit_rows(matrix)

    def close(self) -> None:
        self._http.close()
