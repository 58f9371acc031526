"""The server warms its search up in the background when it starts, unless told not to."""

from pathlib import Path

import pytest

from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.server.app import start_warm_up
from tests.search.conftest import Recording
from tests.server.papers import write_papers


@pytest.fixture
def papers_library(papershelf_home: Path):
    library = Library(Settings(home=papershelf_home))
    assert library.add([str(p) for p in write_papers(papershelf_home / "papers")]).ok
    yield library
    library.close()


def test_the_server_warms_the_searcher_its_requests_use(papers_library: Library) -> None:
    recording = Recording(papers_library.embedder)
    papers_library._searcher = None
    papers_library._embedder = recording  # the library's own embedder, counted
    thread = start_warm_up(papers_library)
    assert thread is not None and thread.daemon
    searcher = papers_library.searcher
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(recording.queries) == 2  # both warm-up questions, through this very searcher
    assert papers_library.searcher is searcher
    hits = papers_library.search("pixel shuffle")
    assert hits and len(recording.queries) == 3


def test_warm_up_can_be_turned_off(papershelf_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERSHELF_WARM_UP", "false")
    library = Library(Settings(home=papershelf_home))
    assert library.settings.warm_up is False
    assert start_warm_up(library) is None
    assert library._searcher is None  # nothing was made or loaded
    library.close()
