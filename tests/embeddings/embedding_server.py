"""A tiny OpenAI-compatible /v1/embeddings server on 127.0.0.1: deterministic vectors made from
the text, scripted failures, every request recorded."""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIMENSIONS = 8


def vector_of(text: str) -> list[float]:
    """A fixed, unnormalised vector per text (so the client's normalising shows)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [float(b) + 1.0 for b in digest[:DIMENSIONS]]


class EmbeddingServer:
    def __init__(self, models: tuple[str, ...] = ("nomic-embed-text",)):
        self.models = models
        self.requests: list[dict[str, Any]] = []
        self.fail_with: tuple[int, str] | None = None
        self.reverse_order = False
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> "EmbeddingServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def _handler_for(server: EmbeddingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            server.requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
            if self.path != "/v1/embeddings":
                return self._send(404, {"error": "no such route"})
            if server.fail_with is not None:
                status, message = server.fail_with
                return self._send(status, {"error": {"message": message}})
            if body.get("model") not in server.models:
                return self._send(
                    404, {"error": {"message": f'model "{body.get("model")}" not found'}}
                )
            data = [
                {"object": "embedding", "index": i, "embedding": vector_of(text)}
                for i, text in enumerate(body["input"])
            ]
            if server.reverse_order:
                data.reverse()
            self._send(200, {"object": "list", "data": data, "model": body["model"]})

        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
