"""The HTTP transports: Streamable HTTP at /mcp and the legacy HTTP+SSE at /sse, with Host and
Origin validation always on and an optional bearer token."""

import hmac
import logging
from collections.abc import Sequence
from typing import Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

HttpTransport = Literal["http", "sse"]
MCP_PATH = "/mcp"
SSE_PATH = "/sse"
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def transport_security(host: str, allowed_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """DNS-rebinding protection: only loopback names, the bound host and the given extra names
    are accepted in Host, and only http(s) origins on them in Origin."""
    names = list(_LOOPBACK)
    if host not in ("0.0.0.0", "::", "", *_LOOPBACK, "::1"):
        names.append(f"[{host}]" if ":" in host else host)
    names += [name for name in allowed_hosts if name not in names]
    hosts = [f"{name}:*" for name in names] + names
    origins = [
        f"{scheme}://{name}{suffix}"
        for name in names
        for scheme in ("http", "https")
        for suffix in (":*", "")
    ]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def http_app(
    server: MCPServer,
    transport: HttpTransport,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    allowed_hosts: Sequence[str] = (),
    json_response: bool = True,
    stateless: bool = True,
) -> ASGIApp:
    """The ASGI app serving `server` over Streamable HTTP (stateless, so any number of processes
    can serve behind a load balancer) or the legacy SSE transport. Plain JSON responses suit
    papershelf's tools, which send no notifications mid-call; SSE responses carry them."""
    security = transport_security(host, allowed_hosts)
    if transport == "http":
        app: ASGIApp = server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=stateless,
            json_response=json_response,
            transport_security=security,
            host=host,
        )
    else:
        app = server.sse_app(sse_path=SSE_PATH, transport_security=security, host=host)
    return BearerToken(app, token) if token else app


class BearerToken:
    """Refuses every HTTP request without `Authorization: Bearer <token>` (compared in constant time)."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(
            Headers(scope=scope).get("authorization", "")
        ):
            response = JSONResponse(
                {
                    "error": "invalid_token",
                    "error_description": "send Authorization: Bearer <token>",
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="papershelf"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self._token
        )


def run_http(app: ASGIApp, host: str, port: int) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
