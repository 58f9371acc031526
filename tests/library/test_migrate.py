"""Copying a library between two SQLite stores (the Mongo directions: test_migrate_mongo.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.core.errors import ConfigError, InputError
from papershelf.core.settings import Settings
from papershelf.library_migrate import display_uri, migrate_library
from papershelf.storage.sqlite import SqliteStore
from tests.library.migration_contract import MigrationContract


@pytest.fixture
def source(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "source.db")
    yield store
    store.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "target.db")
    yield store
    store.close()


class TestSqliteToSqlite(MigrationContract):
    pass


def test_the_same_store_cannot_be_source_and_target(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "lib.db").close()
    settings = Settings(home=tmp_path, store=f"sqlite:///{tmp_path / 'lib.db'}")
    with pytest.raises(InputError, match="same store"):
        migrate_library(settings, f"sqlite:///{tmp_path / '.' / 'lib.db'}")


def test_a_missing_source_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, store=f"sqlite:///{tmp_path / 'none.db'}")
    with pytest.raises(InputError, match="no library at"):
        migrate_library(settings, f"sqlite:///{tmp_path / 'target.db'}")
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "target.db").exists()


@pytest.mark.parametrize("uri", ["postgres://db/lib", "sqlite:///", "lib.db"])
def test_a_bad_target_uri_is_a_config_error(tmp_path: Path, uri: str) -> None:
    SqliteStore(tmp_path / "lib.db").close()
    settings = Settings(home=tmp_path, store=f"sqlite:///{tmp_path / 'lib.db'}")
    with pytest.raises(ConfigError, match=r"sqlite:///path/to/file\.db"):
        migrate_library(settings, uri)


def test_passwords_are_not_shown() -> None:
    assert display_uri("mongodb://lab:s3cret@db.example:27017/?tls=true") == (
        "mongodb://lab:***@db.example:27017/?tls=true"
    )
    assert display_uri("sqlite:///home/me/lib.db") == "sqlite:///home/me/lib.db"


def test_the_same_mongo_server_spelled_differently_is_the_same_store(
    tmp_path: Path, mongo_uri: str, mongo_db_name: str
) -> None:
    port = mongo_uri.rstrip("/").rsplit(":", 1)[1]
    settings = Settings(home=tmp_path, store=f"mongodb://127.0.0.1:{port}/", db_name=mongo_db_name)
    with pytest.raises(InputError, match="same store"):
        migrate_library(settings, f"mongodb://user:pw@LOCALHOST:{port}/admin?w=1&appname=x")


def test_the_lexicons_words_go_along_when_another_model_embeds_the_passages(
    tmp_path: Path,
) -> None:
    from papershelf.library import Library
    from papershelf.search.indexing import vector_space
    from tests.embeddings.embedding_server import EmbeddingServer

    notes = tmp_path / "notes.md"
    sections = [
        f"## Part {n}\n\n" + "Pixel shuffle merges patches into fewer tokens. " * 40
        for n in range(3)
    ]
    notes.write_text("# Pixel shuffle\n\n" + "\n\n".join(sections), encoding="utf-8")
    with EmbeddingServer() as server:
        settings = Settings(
            home=tmp_path / "home",
            store=f"sqlite:///{tmp_path / 'source.db'}",
            embedder="openai:nomic-embed-text",
            embeddings_url=server.url,
        )
        with Library(settings) as library:
            assert library.add([str(notes)]).ok
            assert library.word_embedder is not None
            words = vector_space(library.word_embedder)
            held = library.store.term_vectors(words, min_df=1)
        assert held is not None and held.terms
        report = migrate_library(settings, f"sqlite:///{tmp_path / 'target.db'}")
    assert report.verified and report.term_vectors[words] == len(held.terms)
    target = SqliteStore(tmp_path / "target.db")
    try:
        copied = target.term_vectors(words, min_df=1)
        assert copied is not None and sorted(copied.terms) == sorted(held.terms)
    finally:
        target.close()
