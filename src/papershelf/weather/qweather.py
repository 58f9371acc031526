"""QWeather Web API client: key header, gzip, timeouts, retries with backoff, errors a model can act on."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from papershelf.core.errors import (
    ConfigError,
    InputError,
    NotFound,
    PapershelfError,
    SourceUnavailable,
)
from papershelf.core.settings import Settings

log = logging.getLogger(__name__)

MISSING_KEY = (
    "QWEATHER_API_KEY is not set: get a key at the QWeather console "
    "(https://console.qweather.com) and put it in the environment or .env"
)
MISSING_HOST = (
    "QWEATHER_API_HOST is not set: copy your API Host (e.g. https://xxxx.re.qweatherapi.com) "
    "from the QWeather console into the environment or .env"
)
RETRY_AFTER_CAP_S = 10.0


class QWeatherClient:
    """The three QWeather calls the weather tools need, over one shared HTTP client."""

    def __init__(
        self,
        host: str,
        api_key: str,
        *,
        http: httpx.AsyncClient,
        retries: int = 3,
        backoff_s: float = 0.5,
    ):
        host = host.strip().rstrip("/")
        self.host = host if not host or "://" in host else f"https://{host}"
        self._api_key = api_key.strip()
        self._http = http
        self._attempts = max(retries, 0) + 1
        self._backoff_s = backoff_s

    async def lookup_city(self, name: str, lang: str, number: int = 10) -> list[dict[str, Any]]:
        """GeoAPI city lookup; `name` may also be a LocationID. Best match first."""
        params = {"location": name, "number": number, "lang": lang}
        payload = await self._get("/geo/v2/city/lookup", params)
        return list(payload.get("location") or [])

    async def weather_now(self, location_id: str, lang: str) -> dict[str, Any]:
        return await self._get("/v7/weather/now", {"location": location_id, "lang": lang})

    async def daily_forecast(self, location_id: str, days: int, lang: str) -> dict[str, Any]:
        return await self._get(f"/v7/weather/{days}d", {"location": location_id, "lang": lang})

    async def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if not self._api_key:
            raise ConfigError(MISSING_KEY)
        if not self.host:
            raise ConfigError(MISSING_HOST)
        url = self.host + path
        for attempt in range(self._attempts):
            is_last = attempt == self._attempts - 1
            try:
                response = await self._http.get(
                    url, params=params, headers={"X-QW-Api-Key": self._api_key}
                )
            except httpx.InvalidURL as exc:
                raise ConfigError(
                    f"QWEATHER_API_HOST {self.host!r} is not a valid URL ({exc})"
                ) from exc
            except httpx.RequestError as exc:
                if is_last:
                    raise self._network_error(exc) from exc
                log.info("QWeather %s failed (%r); retrying", path, exc)
                await self._pause(attempt, None)
                continue
            payload = _json_object(response)
            status = _status_of(response, payload)
            if status == 200 and payload is not None:
                return payload
            if _is_retryable(status) and not is_last:
                log.info("QWeather %s answered %s; retrying", path, status)
                await self._pause(attempt, response.headers.get("Retry-After"))
                continue
            raise self._answer_error(status, payload)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _pause(self, attempt: int, retry_after: str | None) -> None:
        delay = self._backoff_s * 2**attempt
        try:
            if retry_after is not None:
                delay = min(max(float(retry_after), 0.0), RETRY_AFTER_CAP_S)
        except ValueError:
            pass  # an HTTP date instead of seconds: keep our own backoff
        await anyio.sleep(delay)

    def _network_error(self, exc: httpx.RequestError) -> SourceUnavailable:
        tries = f"{self._attempts} attempt{'s' if self._attempts > 1 else ''}"
        if isinstance(exc, httpx.TimeoutException):
            return SourceUnavailable(
                f"QWeather at {self.host} did not answer in time ({type(exc).__name__}; {tries}): "
                "try again later, or raise PAPERSHELF_HTTP_TIMEOUT_S"
            )
        reason = str(exc) or type(exc).__name__
        return SourceUnavailable(
            f"cannot reach QWeather at {self.host} ({reason}; {tries}): "
            "check the network and QWEATHER_API_HOST"
        )

    def _answer_error(self, status: int, payload: dict[str, Any] | None) -> PapershelfError:
        detail = _v2_detail(payload)
        said = f": {detail}" if detail else ""
        if payload is None and status < 500 and status not in (401, 403, 429):
            # A page that is not QWeather's JSON (a portal, a 404 page): most likely the wrong host.
            return SourceUnavailable(
                f"QWeather at {self.host} answered HTTP {status} with a body that is not JSON: "
                "check QWEATHER_API_HOST (it must be the API Host from the QWeather console)"
            )
        if status == 401:
            return ConfigError(
                f"QWeather rejected the API key (401 Unauthorized{said}): check QWEATHER_API_KEY "
                "and that it belongs to the project whose API Host is QWEATHER_API_HOST"
            )
        if status == 403:
            return ConfigError(
                f"QWeather refused the request (403 Forbidden{said}): the key may not be allowed "
                "this data or this host/IP, or the account has no credit; check the QWeather console"
            )
        if status == 402:
            return SourceUnavailable(
                f"QWeather quota or balance is used up (402{said}): wait for the quota to reset "
                "or top up in the QWeather console"
            )
        if status == 429:
            return SourceUnavailable(
                f"QWeather rate limit reached (429 Too Many Requests{said}) after "
                f"{self._attempts} attempts: wait a minute before asking again"
            )
        if status in (404, 204):
            return NotFound(f"QWeather has no data for this location ({status}{said})")
        if status == 400:
            return InputError(f"QWeather rejected the request as invalid (400{said})")
        if status >= 500:
            return SourceUnavailable(
                f"QWeather at {self.host} failed (HTTP {status}{said}) after {self._attempts} "
                "attempts: try again later"
            )
        return SourceUnavailable(f"QWeather answered with unexpected code {status}{said}")


@asynccontextmanager
async def open_qweather(
    settings: Settings, *, backoff_s: float = 0.5
) -> AsyncIterator[QWeatherClient]:
    """A client configured from settings, with its HTTP connection pool open for the block."""
    headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip"}
    async with httpx.AsyncClient(timeout=settings.http_timeout_s, headers=headers) as http:
        yield QWeatherClient(
            settings.qweather_api_host,
            settings.qweather_api_key,
            http=http,
            retries=settings.http_retries,
            backoff_s=backoff_s,
        )


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _status_of(response: httpx.Response, payload: dict[str, Any] | None) -> int:
    """QWeather reports errors three ways: the HTTP status, the v1 body `code`, the v2 `error` object."""
    if payload is None:
        return response.status_code
    error = payload.get("error")
    if isinstance(error, dict):
        if _v2_type(error) in ("not-found", "no-such-location"):
            return 404
        if _v2_type(error) == "data-not-available":
            return 204
        status = str(error.get("status", ""))
        return int(status) if status.isdigit() else response.status_code
    code = str(payload.get("code", ""))
    if code.isdigit() and not (code == "200" and response.status_code >= 400):
        return int(code)
    return response.status_code


def _v2_type(error: dict[str, Any]) -> str:
    """The error kind from a v2 `type` URL such as .../error-code/#not-found."""
    return str(error.get("type", "")).rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower()


def _v2_detail(payload: dict[str, Any] | None) -> str:
    error = (payload or {}).get("error")
    if not isinstance(error, dict):
        return ""
    parts = [str(error[k]) for k in ("title", "detail") if error.get(k)]
    return " - ".join(parts)


def _is_retryable(status: int) -> bool:
    return status == 429 or status >= 500
