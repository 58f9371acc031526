"""The papershelf MCP server, built by `build_server(library)`: thin tools, resources and prompts
over the library facade."""

import json
import os
import sys
import threading
from collections.abc import Sequence
from importlib.metadata import version
from typing import Literal

from mcp.server.mcpserver import MCPServer
from starlette.types import ASGIApp
from threadpoolctl import threadpool_limits

from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.server.http import MCP_PATH, SSE_PATH, http_app, run_http
from papershelf.server.prompts import add_prompts
from papershelf.server.rendering import UNTRUSTED_NOTE
from papershelf.server.resources import add_resources
from papershelf.server.security import WritePolicy
from papershelf.server.tools import paper_tools
from papershelf.server.workers import can_share_port, run_workers

SERVER_NAME = "papershelf"
Transport = Literal["stdio", "http", "sse"]
WORKER_OPTIONS = "PAPERSHELF_SERVE_WORKER_OPTIONS"


def instructions(db_name: str) -> str:
    return (
        "A library of research papers. search_papers answers most questions with cited passages; "
        "get_paper shows a paper's outline and read_paper reads a section or page in bounded pieces "
        "(follow next_cursor for more). list_papers shows what the library holds. The tutorial's "
        f"tools (get_db_collections, ...) work on the database {db_name!r}. Cite passages as the "
        f"tools give them. {UNTRUSTED_NOTE}"
    )


def build_server(library: Library, *, write_policy: WritePolicy | None = None) -> MCPServer:
    """An MCP server over `library`; add_paper is offered only with a write policy."""
    server: MCPServer = MCPServer(
        SERVER_NAME,
        title="papershelf: research paper library",
        instructions=instructions(library.settings.db_name),
        version=version("papershelf"),
        tools=paper_tools(library, write_policy),
    )
    add_resources(server, library)
    add_prompts(server, library)
    return server


def start_warm_up(library: Library) -> threading.Thread | None:
    """Open the library and search once in the background (Library.start_warm_up), so a host's
    first question does not wait for the models and indexes to load; None when the settings
    turn it off."""
    return library.start_warm_up() if library.settings.warm_up else None


def serve(
    library: Library,
    transport: Transport = "stdio",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    write_policy: WritePolicy | None = None,
    allowed_hosts: Sequence[str] = (),
    workers: int = 1,
) -> None:
    """Run the server until interrupted: stdio, Streamable HTTP at /mcp, or legacy SSE at /sse.
    Streamable HTTP is stateless, so `workers` processes can share one port."""
    one_blas_thread()
    if transport == "stdio":
        start_warm_up(library)
        build_server(library, write_policy=write_policy).run("stdio")
        return
    shown = f"[{host}]" if ":" in host else host
    path = MCP_PATH if transport == "http" else SSE_PATH
    kind = "Streamable HTTP" if transport == "http" else "HTTP+SSE (legacy)"
    # stderr: stdout may belong to a protocol, and the test harness waits for the port instead.
    print(
        f"papershelf MCP server: {kind} at http://{shown}:{port}{path}", file=sys.stderr, flush=True
    )
    if transport == "http" and workers > 1:
        os.environ[WORKER_OPTIONS] = json.dumps(
            {
                "home": str(library.settings.home),
                "store": library.settings.store,
                "host": host,
                "token": token,
                "allowed_hosts": list(allowed_hosts),
                "roots": [str(r) for r in write_policy.roots] if write_policy else None,
                "allow_private_urls": bool(write_policy and write_policy.allow_private_urls),
            }
        )
        library.close()
        if can_share_port():
            run_workers(worker_app, host, port, workers)
            return
        import uvicorn

        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
        )
        return
    start_warm_up(library)
    server = build_server(library, write_policy=write_policy)
    run_http(
        http_app(server, transport, host=host, token=token, allowed_hosts=allowed_hosts), host, port
    )


def one_blas_thread() -> None:
    """A server's calls run beside each other and beside the host, so each call's matrix products
    (dense scores, the lexicon) get one core: OpenBLAS threads busy-wait for work, and with two per
    call on 2 busy cores a hybrid call cost 2.5x the CPU (198 -> 80 ms at concurrency 8; in one
    bench run, p50 177 ms over stdio with two threads, 86 ms over HTTP with one). Passage batches
    (add_paper) still take every core: the embedder sets its own limit for them."""
    threadpool_limits(1, user_api="blas")


def worker_app() -> ASGIApp:
    """One worker process's app (`serve --workers N`): its options come through the environment,
    its library connection is its own."""
    options = json.loads(os.environ[WORKER_OPTIONS])
    one_blas_thread()
    library = Library(Settings(home=options["home"], store=options["store"]))
    policy = None
    if options["roots"] is not None:
        policy = WritePolicy(
            roots=options["roots"], allow_private_urls=options["allow_private_urls"]
        )
    start_warm_up(library)
    server = build_server(library, write_policy=policy)
    return http_app(
        server,
        "http",
        host=options["host"],
        token=options["token"],
        allowed_hosts=options["allowed_hosts"],
    )
