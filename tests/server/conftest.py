import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.server.app import build_server
from tests.server.papers import write_papers

SERVE_ENTRY = Path(__file__).with_name("serve_entry.py")
REPO = Path(__file__).resolve().parents[2]
PORT_WAIT_S = 30.0


def _library_in(home: Path) -> Library:
    return Library(Settings(home=home))


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A library holding the four test papers (English, Chinese, a hostile one), shared by the
    tests that only read it; servers in subprocesses are pointed at its home."""
    home = tmp_path_factory.mktemp("shared-home")
    lib = _library_in(home)
    report = lib.add([str(p) for p in write_papers(home / "papers")])
    assert report.ok, report.failures
    yield lib
    lib.close()


@pytest.fixture
def writable_library(papershelf_home: Path) -> Iterator[Library]:
    """An empty library of this test's own, for tests that add to it."""
    lib = _library_in(papershelf_home)
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def tutorial_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A library holding the tutorial's MongoDB export (two arXiv papers with their ObjectIds)."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    lib = _library_in(tmp_path_factory.mktemp("tutorial-home"))
    report = lib.import_tutorial(CORPUS / "docs" / "essay_database.ai_essay.json")
    assert report.ok, report.failures
    yield lib
    lib.close()


@pytest.fixture
def server(library: Library):
    return build_server(library)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline_s: float = PORT_WAIT_S) -> None:
    """Until the server accepts connections; fails early if it exits, and after the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited with {process.returncode}: {process.stderr.read()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server did not listen on port {port} within {deadline_s} s")


def serve_command(*args: str) -> list[str]:
    return [sys.executable, str(SERVE_ENTRY), "serve", *args]


def server_env(home: Path | None = None) -> dict[str, str]:
    """The test's environment with the repository importable and PAPERSHELF_HOME at `home`."""
    env = dict(os.environ)
    if home is not None:
        env["PAPERSHELF_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


@dataclass
class RunningServer:
    url: str
    port: int
    process: subprocess.Popen


def start_server(home: Path, *args: str) -> RunningServer:
    port = free_port()
    process = subprocess.Popen(
        serve_command(*args, "--port", str(port)),
        env=server_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
    except BaseException:
        stop(process)
        raise
    path = "/sse" if "sse" in args else "/mcp"
    return RunningServer(f"http://127.0.0.1:{port}{path}", port, process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


@pytest.fixture
def http_server(library: Library) -> Iterator[RunningServer]:
    running = start_server(library.settings.home, "--transport", "http")
    yield running
    stop(running.process)


@pytest.fixture
def sse_server(library: Library) -> Iterator[RunningServer]:
    running = start_server(library.settings.home, "--transport", "sse")
    yield running
    stop(running.process)
