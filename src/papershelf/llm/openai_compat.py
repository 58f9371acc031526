"""A small client for any OpenAI-compatible chat endpoint (Ollama, vLLM, DashScope, OpenAI,
llama.cpp server) over httpx: one non-streaming completion, and a reachability check."""

from typing import Any

import httpx

from papershelf.core.endpoints import openai_base_url
from papershelf.core.errors import SourceUnavailable
from papershelf.core.http_clients import service_client

AVAILABILITY_TIMEOUT_S = 2.0


class OpenAICompatClient:
    """Chat completions from one model at one OpenAI-compatible endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 60,
    ):
        self.base_url = openai_base_url(base_url)
        self.model = model
        self.timeout = timeout
        self._http = service_client(api_key, timeout)

    def complete(self, messages: list[dict[str, Any]], **options: Any) -> str:
        """The assistant's reply text to `messages`; options (temperature, max_tokens, ...)
        go into the request as they are. Raises SourceUnavailable with what to do."""
        payload = {**options, "model": self.model, "messages": messages, "stream": False}
        url = f"{self.base_url}/chat/completions"
        try:
            response = self._http.post(url, json=payload)
        except httpx.TimeoutException as exc:
            raise SourceUnavailable(
                f"the LLM at {self.base_url} did not answer within {self.timeout:g}s: "
                "raise llm_timeout_s or use a smaller model"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise SourceUnavailable(self._unreachable_message(exc)) from exc
        if response.status_code != 200:
            raise SourceUnavailable(self._status_message(response))
        return self._reply_text(response)

    def available(self) -> bool:
        """Whether the endpoint answers at all (GET /models within a couple of seconds)."""
        try:
            response = self._http.get(
                f"{self.base_url}/models", timeout=min(self.timeout, AVAILABILITY_TIMEOUT_S)
            )
        except (httpx.HTTPError, httpx.InvalidURL):
            return False
        return response.status_code == 200

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "OpenAICompatClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _unreachable_message(self, exc: Exception) -> str:
        return unreachable_message(self.base_url, exc)

    def _status_message(self, response: httpx.Response) -> str:
        return status_message(self.base_url, self.model, response)

    def _reply_text(self, response: httpx.Response) -> str:
        try:
            message = response.json()["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SourceUnavailable(
                f"{self.base_url} answered with something other than a chat completion: "
                "check that it is an OpenAI-compatible endpoint (its URL usually ends in /v1)"
            ) from exc
        content = message.get("content") if isinstance(message, dict) else None
        return content if isinstance(content, str) else ""


def unreachable_message(base_url: str, exc: Exception) -> str:
    """What to tell a user whose LLM endpoint cannot be reached."""
    return (
        f"cannot reach the LLM endpoint {base_url} ({type(exc).__name__}): start it "
        "(e.g. `ollama serve`) or set OLLAMA_BASE_URL / PAPERSHELF_LLM_URL"
    )


def status_message(base_url: str, model: str, response: httpx.Response) -> str:
    """What to tell a user whose LLM endpoint answered a chat request with an error status."""
    detail = _error_detail(response)
    status = response.status_code
    if status == 404 and "model" in detail.lower():
        return (
            f"model {model!r} not found at {base_url}: pull it "
            f"(`ollama pull {model}`) or set OLLAMA_MODEL / PAPERSHELF_LLM_MODEL"
        )
    if status == 404:
        return (
            f"{base_url}/chat/completions does not exist: point OLLAMA_BASE_URL at an "
            "OpenAI-compatible base URL (for Ollama http://localhost:11434/v1)"
        )
    if status in (401, 403):
        return (
            f"the LLM endpoint {base_url} refused the request (HTTP {status}): "
            "set PAPERSHELF_LLM_API_KEY to a valid key"
        )
    suffix = f": {detail}" if detail else ""
    return f"the LLM endpoint {base_url} answered HTTP {status}{suffix}"


def _error_detail(response: httpx.Response) -> str:
    """The error message an OpenAI-style (or Ollama) error body carries, shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200]
    error = body
    if isinstance(body, dict):
        error = body.get("error") or body.get("detail") or body.get("message") or ""
    if isinstance(error, dict):
        error = error.get("message", "")
    return str(error).strip()[:200]
