"""A polite HTTP fetcher for arXiv and document URLs: retries with backoff, size limits, per-host pacing."""

import functools
import random
import ssl
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from papershelf.core.errors import InputError, NotFound, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.ingest.arxiv_ids import ARXIV_HOSTS

MIB = 1024 * 1024
DOCUMENT_ACCEPT = (
    "application/pdf, text/html;q=0.9, application/xhtml+xml;q=0.9, text/markdown;q=0.9, "
    "text/plain;q=0.8, */*;q=0.5"
)
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_ARXIV_GATE = "arxiv"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful response: the final URL (after redirects), status, content type and body."""

    url: str
    status: int
    content_type: str
    data: bytes


class _Retryable(Exception):
    """An attempt failed in a way worth trying again; carries the error to raise if none is left."""

    def __init__(self, error: Exception, retry_after_s: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.retry_after_s = retry_after_s


class HttpFetcher:
    """Fetches URLs for ingestion; share one instance so its per-host pacing covers every request.

    arXiv hosts (the API and the PDF host count as one) are spaced by `settings.arxiv_delay_s`;
    other hosts by `min_interval_s`. `backoff_s` is the first retry delay (doubled each retry,
    plus jitter); a server's Retry-After is honoured up to `max_retry_after_s`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        backoff_s: float = 1.0,
        max_retry_after_s: float = 60.0,
        min_interval_s: float = 0.0,
        check_url: Callable[[str], None] | None = None,
    ):
        self.settings = settings
        self.backoff_s = backoff_s
        self.max_retry_after_s = max_retry_after_s
        self.min_interval_s = min_interval_s
        self._arxiv_netlocs = ARXIV_HOSTS | {
            urlsplit(settings.arxiv_api_url).netloc.lower(),
            urlsplit(settings.arxiv_pdf_url).netloc.lower(),
        }
        self._client = httpx.Client(
            timeout=settings.http_timeout_s,
            follow_redirects=True,
            headers={"User-Agent": settings.user_agent},
            verify=_tls_context(),
            # `check_url` sees every request, redirects included, and raises to refuse one
            event_hooks={"request": [lambda request: check_url(str(request.url))]}
            if check_url
            else None,
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()

    def get(
        self,
        url: str,
        *,
        accept: str = "*/*",
        max_bytes: int | None = None,
        allow_status: Collection[int] = (),
    ) -> FetchResult:
        """GET `url`, retrying transient failures; statuses in `allow_status` are returned, not raised."""
        host = _require_http_url(url)
        limit = max_bytes if max_bytes is not None else self.settings.max_download_mb * MIB
        gate = self._gate_for(url)
        attempts = self.settings.http_retries + 1
        for attempt in range(attempts):
            try:
                with gate.turn():
                    return self._attempt(url, host, accept, limit, allow_status)
            except _Retryable as failure:
                if attempt == attempts - 1:
                    raise failure.error from failure.__cause__
                time.sleep(self._retry_delay(attempt, failure.retry_after_s))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def fetch_document(self, url: str) -> FetchResult:
        """Download a document (PDF, HTML, Markdown, text) for the ingest pipeline."""
        return self.get(url, accept=DOCUMENT_ACCEPT)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpFetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _attempt(
        self, url: str, host: str, accept: str, limit: int, allow_status: Collection[int]
    ) -> FetchResult:
        try:
            with self._client.stream("GET", url, headers={"Accept": accept}) as response:
                status = response.status_code
                if not (200 <= status < 300 or status in allow_status):
                    raise _status_error(response, url, host)
                data = _read_limited(response, url, limit)
                return FetchResult(
                    url=str(response.url),
                    status=status,
                    content_type=response.headers.get("content-type", ""),
                    data=data,
                )
        except httpx.TransportError as exc:
            raise _Retryable(self._transport_failure(exc, url, host)) from exc

    def _transport_failure(
        self, exc: httpx.TransportError, url: str, host: str
    ) -> SourceUnavailable:
        if isinstance(exc, httpx.TimeoutException):
            return SourceUnavailable(
                f"timed out after {self.settings.http_timeout_s:g} s fetching {url}; "
                "check your network or raise PAPERSHELF_HTTP_TIMEOUT_S"
            )
        if isinstance(exc, httpx.ConnectError):
            return SourceUnavailable(
                f"cannot connect to {host} ({exc}); check the address and your network"
            )
        return SourceUnavailable(
            f"the connection to {host} failed fetching {url} ({exc}); try again later"
        )

    def _retry_delay(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return min(retry_after_s, self.max_retry_after_s)
        # Jitter keeps several clients that failed together from retrying in lockstep.
        return self.backoff_s * 2**attempt + random.uniform(0, self.backoff_s)

    def _gate_for(self, url: str) -> "_HostGate":
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        is_arxiv = netloc in self._arxiv_netlocs or (parts.hostname or "") in ARXIV_HOSTS
        key = _ARXIV_GATE if is_arxiv else netloc
        interval = self.settings.arxiv_delay_s if is_arxiv else self.min_interval_s
        with self._gates_lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = self._gates[key] = _HostGate(interval)
            return gate


def fetch_document(url: str, settings: Settings | None = None) -> FetchResult:
    """Download one document with a short-lived fetcher (pacing then covers this call only)."""
    with HttpFetcher(settings or Settings()) as fetcher:
        return fetcher.fetch_document(url)


class _HostGate:
    """Lets one request at a time through to a host, each starting `interval_s` after the last ended."""

    def __init__(self, interval_s: float):
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._last_done: float | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self.interval_s <= 0:
            yield
            return
        with self._lock:
            if self._last_done is not None:
                wait = self._last_done + self.interval_s - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                # Measured from the end of a request, so the next one reaches the server at
                # least interval_s after this one did, whatever the network latency.
                self._last_done = time.monotonic()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds; one context serves every fetcher.
    return httpx.create_ssl_context()


def _require_http_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url!r} is not an http(s) URL; papershelf fetches only http:// and https://"
        )
    return parts.hostname


def _status_error(response: httpx.Response, url: str, host: str) -> Exception:
    status = response.status_code
    if status in (404, 410):
        return NotFound(f"{url} does not exist (HTTP {status}); check the address")
    if status == 429:
        error = SourceUnavailable(
            f"{host} is rate limiting requests (HTTP 429) for {url}; wait a few minutes and try again"
        )
        return _Retryable(error, _retry_after_s(response))
    error = SourceUnavailable(f"{url} answered HTTP {status}; try again later or check the address")
    if status in _RETRIED_STATUSES:
        return _Retryable(error, _retry_after_s(response))
    return error


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _read_limited(response: httpx.Response, url: str, limit: int) -> bytes:
    too_big = InputError(
        f"{url} is larger than {limit / MIB:g} MiB; raise PAPERSHELF_MAX_DOWNLOAD_MB to allow it"
    )
    declared = response.headers.get("content-length", "")
    # A declared length counts compressed bytes; only an uncompressed one can be refused up front.
    if declared.isdigit() and "content-encoding" not in response.headers and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)
