"""A reranker behind an HTTP `/rerank` endpoint in the shape Jina and Cohere defined and llama.cpp's
llama-server (`--reranking`), vLLM, GPUStack and others serve: `{model, query, documents}` in,
`{results: [{index, relevance_score}]}` out."""

from collections.abc import Sequence

import httpx

from papershelf.core.endpoints import openai_base_url
from papershelf.core.errors import SourceUnavailable
from papershelf.core.http_clients import post_json, refusal, service_client
from papershelf.embeddings.reranker import checked_scores

PREFIX = "api:"


def rerank_url(url: str) -> str:
    """The endpoint from what a user wrote: a URL ending in /rerank as it is, else the service's
    OpenAI-style base (`localhost:8080` -> `http://localhost:8080/v1`) with /rerank."""
    url = url.strip().rstrip("/")
    if url.endswith("/rerank"):
        return url if "://" in url else "http://" + url
    return openai_base_url(url) + "/rerank"


class ApiReranker:
    """One reranking model at one endpoint."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.url = rerank_url(url)
        self.model = model
        self.model_id = f"{PREFIX}{model}"
        self._http = service_client(api_key, timeout, transport)

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        body = {"model": self.model, "query": query, "documents": list(texts), "top_n": len(texts)}
        response = post_json(
            self._http,
            self.url,
            body,
            service=f"the rerank endpoint {self.url}",
            if_slow="check that it is running, or set PAPERSHELF_RERANKER=none",
            if_unreachable="start it (e.g. `llama-server -m <reranker>.gguf --reranking`) or "
            "fix PAPERSHELF_RERANKER_URL",
        )
        if response.status_code != 200:
            raise SourceUnavailable(self._status_message(response))
        return self._scores(response, len(texts))

    def _status_message(self, response: httpx.Response) -> str:
        key = "set PAPERSHELF_RERANKER_API_KEY"
        hints = {
            401: key,
            403: key,
            404: f"the endpoint has no /rerank route or no model {self.model!r}",
            501: "start llama-server with --reranking",
        }
        return refusal(f"the rerank endpoint {self.url}", response, hints)

    def _scores(self, response: httpx.Response, expected: int) -> list[float]:
        try:
            results = response.json()["results"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceUnavailable(
                f"the rerank endpoint {self.url} did not answer in the rerank format "
                "({results: [{index, relevance_score}]})"
            ) from exc
        return checked_scores(results, expected, f"the rerank endpoint {self.url}")

    def close(self) -> None:
        self._http.close()
