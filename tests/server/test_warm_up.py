"""The server opens the library and warms its search up in a background thread when it starts:
the searcher it warms is the one requests use, a failure is logged and left to the first
request, and closing the library waits for the warm-up (a store closed under a search can crash
the process)."""

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import papershelf.server.app as app
from papershelf.core.errors import ConfigError
from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.search.hybrid import WARM_UP_QUESTIONS, Searcher
from papershelf.server.app import start_warm_up
from tests.search.conftest import Recording
from tests.server.conftest import SERVE_ENTRY, server_env
from tests.server.papers import write_papers
from tests.server.test_transports import INITIALIZE

INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


@pytest.fixture
def papers_library(papershelf_home: Path):
    library = Library(Settings(home=papershelf_home))
    assert library.add([str(p) for p in write_papers(papershelf_home / "papers")]).ok
    library.close()
    library = Library(Settings(home=papershelf_home))  # nothing opened or made yet
    yield library
    library.close()


def test_the_server_warms_the_searcher_its_requests_use(
    papers_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Searcher] = []
    warmed: list[Searcher] = []
    make, warm = Searcher.__init__, Searcher.warm_up

    def counted_init(self, *args, **kwargs):
        made.append(self)
        make(self, *args, **kwargs)

    def counted_warm_up(self, *args, **kwargs):
        warmed.append(self)
        return warm(self, *args, **kwargs)

    monkeypatch.setattr(Searcher, "__init__", counted_init)
    monkeypatch.setattr(Searcher, "warm_up", counted_warm_up)
    thread = start_warm_up(papers_library)
    assert thread is not None and thread.daemon
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert papers_library.search("pixel shuffle")
    assert len(made) == 1 and warmed == made and papers_library.searcher is made[0]


def test_a_warm_up_that_cannot_open_the_library_is_logged_and_left_to_requests(
    papershelf_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PAPERSHELF_EMBEDDER", "no-such-embedder")
    library = Library(Settings(home=papershelf_home))
    with caplog.at_level(logging.WARNING, logger="papershelf.search.warm_up"):
        thread = start_warm_up(library)  # raises nothing in the server's thread
        assert thread is not None
        thread.join(timeout=60)
    assert "search warm-up skipped" in caplog.text and "no-such-embedder" in caplog.text
    with pytest.raises(ConfigError, match="no-such-embedder"):
        library.search("pixel shuffle")
    library.close()


class Held(Recording):
    """Its first query waits until released."""

    def __init__(self, inner):
        super().__init__(inner)
        self.entered = threading.Event()
        self.release = threading.Event()

    def embed_query(self, text: str) -> np.ndarray:
        self.entered.set()
        assert self.release.wait(timeout=60)
        return super().embed_query(text)


def test_closing_the_library_stops_the_warm_up_and_waits_for_its_search(
    papers_library: Library,
) -> None:
    held = Held(papers_library.embedder)
    papers_library._embedder = held  # the library's own embedder, held at its first query
    thread = start_warm_up(papers_library)
    assert thread is not None and held.entered.wait(timeout=60)
    closing = threading.Thread(target=papers_library.close)
    closing.start()
    time.sleep(0.3)
    assert closing.is_alive()  # the store stays open while the warm-up searches it
    held.release.set()
    closing.join(timeout=60)
    assert not closing.is_alive() and not thread.is_alive()
    assert held.queries == [WARM_UP_QUESTIONS[0]]  # stopped before its second question


def test_warm_up_can_be_turned_off(papershelf_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERSHELF_WARM_UP", "false")
    library = Library(Settings(home=papershelf_home))
    assert library.settings.warm_up is False
    assert start_warm_up(library) is None
    assert library._store is None and library._searcher is None  # nothing opened or loaded
    library.close()


def test_every_worker_process_warms_its_own_library_up(
    papershelf_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {
        "home": str(papershelf_home),
        "store": Settings(home=papershelf_home).store,
        "host": "127.0.0.1",
        "token": None,
        "allowed_hosts": [],
        "roots": None,
        "allow_private_urls": False,
    }
    monkeypatch.setenv(app.WORKER_OPTIONS, json.dumps(options))
    started: list[Library] = []
    monkeypatch.setattr(app, "start_warm_up", started.append)
    app.worker_app()
    assert [library.settings.home for library in started] == [papershelf_home]
    started[0].close()


def serve_stdio(home: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(SERVE_ENTRY), "--verbose", "serve"],
        env=server_env(home),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    for message in (INITIALIZE, INITIALIZED):
        process.stdin.write(json.dumps(message) + "\n")
    process.stdin.flush()
    return process


def test_a_stdio_server_warms_up_after_the_handshake(library: Library) -> None:
    process = serve_stdio(library.settings.home)
    lines: list[str] = []
    warmed = threading.Event()

    def read_errors() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if "search warmed up in" in line:
                warmed.set()

    reader = threading.Thread(target=read_errors, daemon=True)
    reader.start()
    try:
        assert warmed.wait(timeout=60), "".join(lines)
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        returncode = process.wait(timeout=60)
        reader.join(timeout=10)
        process.stderr.close()  # type: ignore[union-attr]
    assert returncode == 0, "".join(lines)


def test_a_host_that_leaves_at_once_sees_the_server_exit_cleanly(library: Library) -> None:
    for _ in range(3):
        process = serve_stdio(library.settings.home)
        process.stdin.close()  # type: ignore[union-attr]
        errors = process.stderr.read()  # type: ignore[union-attr]
        assert process.wait(timeout=120) == 0, errors
        process.stderr.close()  # type: ignore[union-attr]
