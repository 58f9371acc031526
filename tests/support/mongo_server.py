"""A real MongoDB wire-protocol server for the tests: one SecantusDB per session, a fresh database
per test."""

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A SecantusDB replica set member (transactions on), stopped at the end of the session."""
    secantus = pytest.importorskip("secantus", reason="SecantusDB is in the dev dependencies")
    server = secantus.SecantusDBServer(storage_path=str(tmp_path_factory.mktemp("mongo")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mongo_uri(mongo_server: object) -> str:
    return str(mongo_server.uri)  # type: ignore[attr-defined]


@pytest.fixture
def mongo_db_name() -> str:
    """A database no other test uses."""
    return f"papershelf_test_{next(_numbers)}"


@pytest.fixture
def mongo_store(mongo_uri: str, mongo_db_name: str) -> Iterator[object]:
    from papershelf.storage.mongo import MongoStore

    store = MongoStore(mongo_uri, mongo_db_name, "ai_essay")
    yield store
    store.close()


def start_server(path: Path, *, replica_set: bool = True) -> object:
    """Another server, for tests that stop it or need a standalone one; the caller stops it."""
    secantus = pytest.importorskip("secantus", reason="SecantusDB is in the dev dependencies")
    options = {} if replica_set else {"replica_set_name": None}
    server = secantus.SecantusDBServer(storage_path=str(path), **options)
    server.start()
    return server


@pytest.fixture(scope="session")
def mongo_standalone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A standalone server (no replica set): the store writes without transactions there."""
    server = start_server(tmp_path_factory.mktemp("mongo-standalone"), replica_set=False)
    yield server
    server.stop()  # type: ignore[attr-defined]


def fail_next(uri: str, command: str, times: int = 1) -> None:
    """Make the server fail the next `times` runs of a command (MongoDB's failCommand failpoint)."""
    from pymongo import MongoClient

    with MongoClient(uri) as client:
        client.admin.command(
            "configureFailPoint",
            "failCommand",
            mode={"times": times},
            data={"failCommands": [command], "errorCode": 8},
        )
