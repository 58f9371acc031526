"""A tiny OpenAI-compatible chat server on 127.0.0.1 for tests: scripted replies, errors and
delays in order, every request recorded, streaming and tool calls for agent tests."""

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NO_SCRIPT_LEFT = "fake LLM server: no scripted response left"


@dataclass
class ScriptedResponse:
    """One answer of the server: a reply (content and/or tool calls), an error, or raw bytes."""

    content: str | None = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    error: str = ""
    raw_body: str | None = None
    delay_s: float = 0.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any = None


class FakeLLMServer:
    """Serves /v1/chat/completions from a queue of scripted responses and /v1/models.

    A request for a model not in `models` gets Ollama's 404 "model not found"; an empty queue
    gets a 500. Use as a context manager; `url` is the base URL a client is given.
    """

    def __init__(self, models: tuple[str, ...] = ("test-model",)):
        self.models = list(models)
        self.models_status = 200
        self.requests: list[RecordedRequest] = []
        self._script: deque[ScriptedResponse] = deque()
        self._release = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        # a short poll interval keeps stop() (and so each test) fast
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat completion requests, oldest first."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    def reply(
        self,
        content: str | None = "",
        *,
        tool_calls: list[dict[str, Any]] | None = None,
        delay_s: float = 0.0,
    ) -> None:
        """Queue a completion. Tool calls as {'name': ..., 'arguments': dict or str}."""
        self._script.append(
            ScriptedResponse(content=content, tool_calls=tool_calls or [], delay_s=delay_s)
        )

    def fail(
        self, status: int = 500, message: str = "internal error", *, delay_s: float = 0.0
    ) -> None:
        """Queue an error answer with an OpenAI-style error body."""
        self._script.append(ScriptedResponse(status=status, error=message, delay_s=delay_s))

    def send_raw(self, body: str, status: int = 200) -> None:
        """Queue a body sent exactly as given (for malformed answers)."""
        self._script.append(ScriptedResponse(status=status, raw_body=body))

    def start(self) -> "FakeLLMServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # ends pending delays at once
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def next_response(self) -> ScriptedResponse:
        """The next scripted response (a 500 when none is left); used by the handler."""
        try:
            return self._script.popleft()
        except IndexError:
            return ScriptedResponse(status=500, error=NO_SCRIPT_LEFT)

    def pause(self, seconds: float) -> None:
        """Wait like a slow model, but no longer than until stop()."""
        if seconds > 0:
            self._release.wait(seconds)


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (timeout) closes the socket under a delayed reply


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._record(None)
            if self.path.rstrip("/").endswith("/v1/models"):
                if server.models_status != 200:
                    self._json(server.models_status, _error_body("models unavailable"))
                    return
                data = [{"id": m, "object": "model", "owned_by": "fake"} for m in server.models]
                self._json(200, {"object": "list", "data": data})
            else:
                self._text(404, "404 page not found")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            self._record(body)
            if not self.path.rstrip("/").endswith("/v1/chat/completions"):
                self._text(404, "404 page not found")
                return
            model = body.get("model") if isinstance(body, dict) else None
            if model not in server.models:
                message = f'model "{model}" not found, try pulling it first'
                self._json(404, _error_body(message, "api_error"))
                return
            scripted = server.next_response()
            server.pause(scripted.delay_s)
            if scripted.raw_body is not None:
                self._send(scripted.status, "application/json", scripted.raw_body.encode())
            elif scripted.status != 200:
                self._json(scripted.status, _error_body(scripted.error))
            elif body.get("stream"):
                self._stream(model, scripted)
            else:
                self._json(200, _completion(model, scripted, len(server.requests)))

        def _record(self, body: Any) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append(RecordedRequest(self.command, self.path, headers, body))

        def _json(self, status: int, payload: Any) -> None:
            self._send(status, "application/json", json.dumps(payload).encode())

        def _text(self, status: int, text: str) -> None:
            self._send(status, "text/plain; charset=utf-8", text.encode())

        def _send(self, status: int, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, model: str, scripted: ScriptedResponse) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in _stream_chunks(model, scripted):
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True

    return Handler


def _error_body(message: str, kind: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _tool_calls(scripted: ScriptedResponse) -> list[dict[str, Any]]:
    calls = []
    for number, call in enumerate(scripted.tool_calls):
        arguments = call.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        function = {"name": call["name"], "arguments": arguments}
        calls.append(
            {"id": call.get("id", f"call_{number}"), "type": "function", "function": function}
        )
    return calls


def _completion(model: str, scripted: ScriptedResponse, number: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": scripted.content}
    if scripted.tool_calls:
        message["tool_calls"] = _tool_calls(scripted)
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if scripted.tool_calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _stream_chunks(model: str, scripted: ScriptedResponse) -> list[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
                "choices": [choice]}  # fmt: skip

    chunks = [chunk({"role": "assistant", "content": ""})]
    text = scripted.content or ""
    chunks += [chunk({"content": text[i : i + 8]}) for i in range(0, len(text), 8)]
    for index, call in enumerate(_tool_calls(scripted)):
        chunks.append(chunk({"tool_calls": [{"index": index, **call}]}))
    chunks.append(chunk({}, "tool_calls" if scripted.tool_calls else "stop"))
    return chunks
