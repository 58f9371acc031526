"""`papershelf reindex --lexical` rebuilds the lexical index from the stored passages."""

import json
import sqlite3
from pathlib import Path

import pytest
from pymongo import MongoClient

from papershelf.storage import sqlite_held_index
from tests.cli.conftest import Shelf


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text("# Pixel shuffle notes\n\nPixel shuffle trades resolution for channels.\n")
    return path


def test_a_damaged_lexical_index_is_rebuilt(
    shelf: Shelf, notes: Path, papershelf_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSHELF_EMBEDDER", "none")
    assert shelf("add", str(notes)).exit_code == 0
    database = sqlite3.connect(papershelf_home / "papershelf.db")
    database.execute("INSERT INTO passages_fts(passages_fts) VALUES ('delete-all')")
    # Rows emptied, not deleted: passages with no rows at all are given them again on open.
    database.execute("UPDATE passage_tokens SET token_ids = x'', weights = x''")
    database.commit()
    database.close()
    sqlite_held_index.forget_indexes()  # as a new process finds it
    assert json.loads(shelf("search", "pixel shuffle", "--json").stdout)["hits"] == []

    result = shelf("reindex", "--lexical", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["lexical"] is True
    hits = json.loads(shelf("search", "pixel shuffle", "--json").stdout)["hits"]
    assert hits and hits[0]["title"] == "Pixel shuffle notes"


def test_lost_counts_on_mongodb_leave_scores_alone_and_are_rebuilt(
    shelf: Shelf, notes: Path, mongo_uri: str, mongo_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSHELF_EMBEDDER", "none")
    monkeypatch.setenv("PAPERSHELF_STORE", mongo_uri)
    monkeypatch.setenv("DB_NAME", mongo_db_name)
    (notes.parent / "other.md").write_text("# Other\n\nBatch normalization and pixel grids.\n")
    assert shelf("add", str(notes), str(notes.parent / "other.md")).exit_code == 0
    scores = [hit["score"] for hit in json.loads(shelf("search", "pixel", "--json").stdout)["hits"]]
    with MongoClient(mongo_uri) as client:
        counts = client[mongo_db_name]["ai_essay.counts"]
        kept = counts.count_documents({})
        counts.delete_many({})
    # BM25 comes from the passages' own tokens, not from counters a crash can leave wrong
    after = [hit["score"] for hit in json.loads(shelf("search", "pixel", "--json").stdout)["hits"]]
    assert after == scores

    assert shelf("reindex", "--lexical").exit_code == 0

    with MongoClient(mongo_uri) as client:
        assert client[mongo_db_name]["ai_essay.counts"].count_documents({}) == kept > 0
