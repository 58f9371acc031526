"""HTTP clients for OpenAI-style services (the LLM, embeddings, reranking): a bearer key when one
is set, and a short connect timeout, so a service that is not running is reported in seconds."""

from collections.abc import Mapping
from typing import Any

import httpx

from papershelf.core.errors import SourceUnavailable

CONNECT_TIMEOUT_S = 5.0


def _options(api_key: str, timeout: float) -> dict[str, Any]:
    return {
        "headers": {"Authorization": f"Bearer {api_key}"} if api_key else {},
        "timeout": httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S)),
    }


def service_client(
    api_key: str, timeout: float, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    return httpx.Client(transport=transport, **_options(api_key, timeout))


def async_service_client(api_key: str, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(**_options(api_key, timeout))


def post_json(
    http: httpx.Client,
    url: str,
    body: dict[str, Any],
    *,
    service: str,
    if_slow: str,
    if_unreachable: str,
) -> httpx.Response:
    """The answer to POSTing `body`, whatever its status. SourceUnavailable, naming `service`
    and saying what to do (`if_slow`, `if_unreachable`), when no answer comes."""
    try:
        return http.post(url, json=body)
    except httpx.TimeoutException as exc:
        seconds = http.timeout.read
        raise SourceUnavailable(f"{service} did not answer within {seconds:g}s; {if_slow}") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceUnavailable(f"cannot reach {service} ({exc}); {if_unreachable}") from exc


def refusal(service: str, response: httpx.Response, hints: Mapping[int, str]) -> str:
    """What to say when `service` answered `response` with an error status: its detail, and the
    hint for that status (`hints`), else to read the service's log."""
    detail = response.text[:200].strip()
    hint = hints.get(response.status_code, "check the endpoint's log")
    return f"{service} answered {response.status_code}: {detail or 'no detail'}; {hint}"
