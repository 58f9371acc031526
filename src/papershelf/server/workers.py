"""`serve --workers N`: N server processes on one port, each with its own listening socket
(SO_REUSEPORT), so the kernel spreads connections evenly over them.

uvicorn's own workers share one socket, and whichever process is awake accepts: measured with 8
keep-alive connections, two workers served 65 calls/s, no more than one. With a socket per
process the kernel hashes each connection to one of them.
"""

import multiprocessing
import signal
import socket
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    """A TCP socket on (host, port) that other processes of this user may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on connections of such a socket. Without
    # it (as in uvicorn's own workers) a response's last write waits out the client's delayed
    # ACK: 40 ms more per call, 17 instead of 70 calls/s on one connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host.strip("[]"), port))
        if listen:
            sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


def _serve_one(factory: Callable[[], ASGIApp], host: str, port: int) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config(factory(), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(factory: Callable[[], ASGIApp], host: str, port: int, workers: int) -> None:
    """Serve `factory()`'s app from `workers` processes until interrupted or terminated; port 0
    picks one free port for all of them."""
    # Bound, never listening: fixes the port without taking a share of the connections.
    with listening_socket(host, port, listen=False) as reserved:
        port = reserved.getsockname()[1]
        context = multiprocessing.get_context("spawn")
        processes = [
            context.Process(target=_serve_one, args=(factory, host, port), daemon=True)
            for _ in range(workers)
        ]
        previous: Any = signal.signal(signal.SIGTERM, _exit)
        try:
            for process in processes:
                process.start()
            for process in processes:
                process.join()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=10)


def _exit(*_: object) -> None:
    raise SystemExit(0)
