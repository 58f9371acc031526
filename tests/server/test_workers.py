"""`serve --workers N`: processes with a socket each on one port, connections without Nagle
delays, all of them gone when the server is stopped."""

import asyncio
import socket
import time
from pathlib import Path

import pytest
from mcp import Client

from papershelf.library import Library
from papershelf.server.workers import listening_socket
from tests.server.conftest import start_server, stop


def test_connections_of_a_worker_socket_send_without_delay():
    """asyncio turns TCP_NODELAY on only for connections of a socket made with IPPROTO_TCP;
    without it each response waited 40 ms for the client's delayed ACK."""

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        sock = listening_socket("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            found = await asyncio.wait_for(accepted, 10)
            writer.close()
        return found

    assert asyncio.run(accept_one()) != 0


def test_two_sockets_share_one_port():
    first = listening_socket("127.0.0.1", 0)
    second = listening_socket("127.0.0.1", first.getsockname()[1])
    assert second.getsockname() == first.getsockname()
    first.close()
    second.close()


def worker_pids(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == str(parent):
                found.add(int(entry.name))
    return found


@pytest.mark.anyio
async def test_two_workers_answer_searches_and_stop_with_the_server(library: Library):
    running = start_server(library.settings.home, "--transport", "http", "--workers", "2")
    try:
        children = worker_pids(running.process.pid)
        for _ in range(3):  # fresh connections: the kernel may hand each to either worker
            async with Client(running.url, mode="2026-07-28") as client:
                result = await client.call_tool("search_papers", {"query": "pixel shuffle"})
            assert not result.is_error and result.structured_content["hits"]
        assert len(children) >= 2
    finally:
        stop(running.process)
    # Children include multiprocessing's resource tracker, which exits only once it reads the
    # server's end of its pipe close: give every child a moment to finish exiting.
    for pid in children:
        assert ended_within(pid, seconds=10)


def ended_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if "zombie" in Path(f"/proc/{pid}/status").read_text().lower():
                return True
        except OSError:  # gone
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
