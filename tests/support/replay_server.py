"""A local HTTP server that replays canned responses by path and query and records what it was asked.

Use the `replay_server` fixture (or `ReplayServer()` as a context manager for a second host):
    replay_server.route("/api/query?id_list=2504.05299&max_results=1", Reply.from_file(atom))
    replay_server.route("/pdf/2504.05299v1", Reply(status=503), Reply.from_file(pdf))  # in order
    fetch(replay_server.url("/pdf/2504.05299v1")); assert len(replay_server.requests) == 2
"""

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"
_CHUNK = 64 * 1024


@dataclass
class Reply:
    """One canned response. `delay_s` waits before answering; `chunked` sends no Content-Length."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    gzip: bool = False
    chunked: bool = False

    @classmethod
    def from_file(cls, path: Path | str, *, content_type: str | None = None, **options) -> "Reply":
        """A reply whose body is the file at `path` (relative paths are under tests/fixtures)."""
        file = Path(path) if Path(path).is_absolute() else FIXTURES_DIR / path
        headers = dict(options.pop("headers", {}))
        headers.setdefault("Content-Type", content_type or _guess_content_type(file))
        return cls(body=file.read_bytes(), headers=headers, **options)

    @classmethod
    def text(
        cls, text: str, *, content_type: str = "text/plain; charset=utf-8", **options
    ) -> "Reply":
        headers = dict(options.pop("headers", {}))
        headers.setdefault("Content-Type", content_type)
        return cls(body=text.encode("utf-8"), headers=headers, **options)


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received; `received_at` is time.monotonic() when it arrived."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class ReplayServer:
    """Serves scripted replies on 127.0.0.1 at a random port, in a background thread."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, tuple[tuple[str, str], ...] | None], list[Reply]] = {}
        self._served: dict[tuple[str, tuple[tuple[str, str], ...] | None], int] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, target: str, *replies: Reply) -> "ReplayServer":
        """Answer `target` ("/path" for any query, "/path?a=1&b=2" for that query in any order)
        with `replies` in turn; the last one repeats."""
        if not replies:
            raise ValueError("give at least one Reply")
        key = _route_key(target)
        with self._lock:
            self._routes[key] = list(replies)
            self._served[key] = 0
        return self

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the replay server is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, target: str = "") -> str:
        return f"{self.base_url}{target}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def wait_for_requests(self, count: int, timeout_s: float = 5.0) -> list[RecordedRequest]:
        """Block until `count` requests have arrived (or the timeout passes); return them all."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._requests) >= count, timeout=timeout_s)
            return list(self._requests)

    def start(self) -> "ReplayServer":
        self._httpd = _QuietServer(("127.0.0.1", 0), _ReplayHandler)
        self._httpd.replay = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record_and_choose(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            self._arrived.notify_all()
            exact = (request.path, _normalised_query(request.query))
            key = exact if exact in self._routes else (request.path, None)
            replies = self._routes.get(key)
            if replies is None:
                return Reply.text(f"no replay for {request.target}\n", status=404)
            index = min(self._served[key], len(replies) - 1)
            self._served[key] += 1
            return replies[index]


def closed_port_url(path: str = "/") -> str:
    """A URL on 127.0.0.1 where nothing listens, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """A started ReplayServer, stopped after the test."""
    with ReplayServer() as server:
        yield server


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    replay: ReplayServer

    def handle_error(self, request, client_address) -> None:
        # Clients that time out or refuse a body hang up mid-reply; that is the point of those tests.
        pass


class _ReplayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _QuietServer

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_POST(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _serve(self, send_body: bool) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            received_at=arrived,
        )
        replay = self.server.replay
        reply = replay._record_and_choose(request)
        if reply.delay_s and replay._stopping.wait(reply.delay_s):
            self.close_connection = True
            return
        body = gzip.compress(reply.body) if reply.gzip else reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self._write_body(body, reply.chunked)

    def _write_body(self, body: bytes, chunked: bool) -> None:
        if not chunked:
            self.wfile.write(body)
            return
        for start in range(0, len(body), _CHUNK):
            chunk = body[start : start + _CHUNK]
            self.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


def _route_key(target: str) -> tuple[str, tuple[tuple[str, str], ...] | None]:
    path, _, query = target.partition("?")
    return path, (_normalised_query(query) if "?" in target else None)


def _normalised_query(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(parse_qsl(query, keep_blank_values=True)))


def _guess_content_type(file: Path) -> str:
    suffixes = "".join(file.suffixes[-2:]).lower()
    if suffixes.endswith(".atom.xml"):
        return "application/atom+xml; charset=UTF-8"
    return {
        ".xml": "application/xml; charset=UTF-8",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
        ".pdf": "application/pdf",
        ".md": "text/markdown; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }.get(file.suffix.lower(), "application/octet-stream")
