"""Copying a library between SQLite and MongoDB (a real SecantusDB server), both ways."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.storage.sqlite import SqliteStore
from tests.library.migration_contract import MigrationContract

pytest.importorskip("pymongo")


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "library.db")
    yield store
    store.close()


@pytest.fixture
def other_mongo_store(mongo_uri: str, mongo_db_name: str) -> Iterator[object]:
    from papershelf.storage.mongo import MongoStore

    store = MongoStore(mongo_uri, f"{mongo_db_name}_copy", "ai_essay")
    yield store
    store.close()


class TestSqliteToMongo(MigrationContract):
    @pytest.fixture
    def source(self, sqlite_store: SqliteStore) -> SqliteStore:
        return sqlite_store

    @pytest.fixture
    def target(self, mongo_store: object) -> object:
        return mongo_store


class TestMongoToSqlite(MigrationContract):
    @pytest.fixture
    def source(self, mongo_store: object) -> object:
        return mongo_store

    @pytest.fixture
    def target(self, sqlite_store: SqliteStore) -> SqliteStore:
        return sqlite_store


class TestMongoToMongo(MigrationContract):
    @pytest.fixture
    def source(self, mongo_store: object) -> object:
        return mongo_store

    @pytest.fixture
    def target(self, other_mongo_store: object) -> object:
        return other_mongo_store
