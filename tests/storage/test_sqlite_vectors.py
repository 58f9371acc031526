"""The SQLite store keeps the vector part of the Store contract."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.storage.sqlite import SqliteStore
from tests.storage.vector_contract import VectorStoreContract


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "vectors.db")
    yield opened
    opened.close()


class TestSqliteVectorContract(VectorStoreContract):
    pass
