"""`papershelf migrate`: copying the configured library to another store, from the command line."""

import json
from pathlib import Path

import numpy as np
import pytest

from papershelf.storage.sqlite import SqliteStore
from tests.cli.conftest import Shelf
from tests.library.migration_contract import fill, snapshot
from tests.storage.contract import make_document

# The vectors of the configured (default) embedder are stored under this id.
DEFAULT_SPACE = "use-multilingual-v3#text1"


@pytest.fixture
def library(papershelf_home: Path) -> Path:
    """The configured library (PAPERSHELF_HOME/papershelf.db) with three papers and vectors."""
    path = papershelf_home / "papershelf.db"
    store = SqliteStore(path)
    fill(store, DEFAULT_SPACE)
    store.close()
    return path


def test_migrate_copies_the_library_and_says_it_verified(
    shelf: Shelf, library: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy" / "lib.db"
    result = shelf("migrate", "--to", f"sqlite:///{target}")
    assert result.exit_code == 0, result.output
    assert (
        "copied 3 paper(s), 6 passage(s), 5 vectors of use-multilingual-v3#text1" in result.stdout
    )
    assert "verified" in result.stdout
    listed = json.loads(shelf("--store", f"sqlite:///{target}", "list", "--json").stdout)
    assert listed["total"] == 3
    found = shelf("--store", f"sqlite:///{target}", "search", "pixel shuffle", "--mode", "lexical")
    assert "arxiv:2504.05299" in found.stdout


def test_migrate_json_reports_counts_and_verification(
    shelf: Shelf, library: Path, tmp_path: Path
) -> None:
    result = shelf("migrate", "--to", f"sqlite:///{tmp_path / 'lib.db'}", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["papers"] == 3 and payload["passages"] == 6
    assert payload["vectors"] == {DEFAULT_SPACE: 5}
    assert payload["term_vectors"][DEFAULT_SPACE] > 0
    assert payload["verified"] is True
    assert payload["mismatches"] == [] and payload["problems"] == []
    assert payload["from"] == f"sqlite:///{library}"


def test_the_source_is_left_as_it_was(shelf: Shelf, library: Path, tmp_path: Path) -> None:
    before_digest = shelf.database_digest()
    store = SqliteStore(library)
    before = snapshot(store)
    store.close()
    assert shelf("migrate", "--to", f"sqlite:///{tmp_path / 'lib.db'}").exit_code == 0
    store = SqliteStore(library)
    assert snapshot(store) == before
    store.close()
    assert shelf.database_digest() == before_digest


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("postgres://db.example/lib", "unknown store URI 'postgres://db.example/lib'"),
        ("sqlite:///", "names no file"),
        ("mongodb://db.example:notaport/", "cannot use the MongoDB URI"),
    ],
)
def test_a_bad_target_uri_is_a_one_line_error_and_writes_nothing(
    shelf: Shelf, library: Path, tmp_path: Path, uri: str, message: str
) -> None:
    files_before = sorted(tmp_path.rglob("*"))
    result = shelf("migrate", "--to", uri)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert sorted(tmp_path.rglob("*")) == files_before


def test_a_target_holding_papers_is_refused_unless_merge(
    shelf: Shelf, library: Path, tmp_path: Path
) -> None:
    target = tmp_path / "theirs.db"
    store = SqliteStore(target)
    store.put(make_document("doc:0000000000c3", ["Someone else's paper."], title="Theirs"))
    store.close()
    refused = shelf("migrate", "--to", f"sqlite:///{target}")
    assert refused.exit_code == 1
    assert "already holds 1 paper(s); use --merge" in refused.stderr
    assert (
        json.loads(shelf("--store", f"sqlite:///{target}", "list", "--json").stdout)["total"] == 1
    )

    merged = shelf("migrate", "--to", f"sqlite:///{target}", "--merge")
    assert merged.exit_code == 0, merged.output
    assert "replaced 0 paper(s) the target held under the same id, kept 1 other" in merged.stdout
    assert (
        json.loads(shelf("--store", f"sqlite:///{target}", "list", "--json").stdout)["total"] == 4
    )


def test_migrate_can_read_from_another_store_into_a_fresh_one(
    shelf: Shelf, library: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert shelf("migrate", "--to", f"sqlite:///{first}").exit_code == 0
    result = shelf(
        "migrate", "--from", f"sqlite:///{first}", "--to", f"sqlite:///{second}", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["vectors"] == {DEFAULT_SPACE: 5}


def test_a_missing_source_is_an_error(shelf: Shelf, tmp_path: Path) -> None:
    result = shelf(
        "migrate", "--from", f"sqlite:///{tmp_path / 'nope.db'}", "--to", "sqlite:///x.db"
    )
    assert result.exit_code == 1
    assert "no library at" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_vectors_of_other_embedders_are_named_in_a_note(
    shelf: Shelf, library: Path, tmp_path: Path
) -> None:
    store = SqliteStore(library)
    pending = store.passages_missing_vectors(DEFAULT_SPACE)
    store.set_vectors("openai:bge-m3#text1", [p.key for p in pending], np.ones((1, 2), np.float32))
    store.close()
    result = shelf("migrate", "--to", f"sqlite:///{tmp_path / 'lib.db'}")
    assert result.exit_code == 0
    assert "1 vector(s) of other embedders were not copied" in result.stderr
    named = shelf(
        "migrate",
        "--to",
        f"sqlite:///{tmp_path / 'lib2.db'}",
        "--embedder-id",
        "openai:bge-m3#text1",
        "--json",
    )
    assert json.loads(named.stdout)["vectors"] == {DEFAULT_SPACE: 5, "openai:bge-m3#text1": 1}


def test_migrate_to_mongodb_and_back_keeps_every_paper(
    shelf: Shelf,
    library: Path,
    tmp_path: Path,
    mongo_uri: str,
    mongo_db_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DB_NAME", mongo_db_name)
    there = shelf("migrate", "--to", mongo_uri, "--json")
    assert there.exit_code == 0, there.output
    assert json.loads(there.stdout)["verified"] is True
    found = shelf("--store", mongo_uri, "search", "pixel shuffle", "--mode", "lexical", "--json")
    assert "arxiv:2504.05299" in {hit["paper_id"] for hit in json.loads(found.stdout)["hits"]}

    back = tmp_path / "back.db"
    again = shelf("migrate", "--from", mongo_uri, "--to", f"sqlite:///{back}", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["vectors"] == {DEFAULT_SPACE: 5}
    original, returned = SqliteStore(library), SqliteStore(back)
    assert snapshot(returned) == snapshot(original)
    original.close()
    returned.close()


def test_an_unreachable_mongodb_target_is_a_one_line_error(
    shelf: Shelf, library: Path, tmp_path: Path
) -> None:
    result = shelf("migrate", "--to", "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "cannot reach MongoDB at mongodb://127.0.0.1:9/" in result.stderr


# Records the tutorial's own scripts wrote (no papershelf fields)


def _insert_tutorial_records(corpus: Path, uri: str, db_name: str) -> list[dict]:
    from bson import json_util
    from pymongo import MongoClient

    text = (corpus / "docs" / "essay_database.ai_essay.json").read_text(encoding="utf-8")
    records = json_util.loads(text)
    with MongoClient(uri) as client:
        client[db_name]["ai_essay"].insert_many([dict(r) for r in records])
    return records


def test_a_mongodb_target_holding_tutorial_records_is_refused_unless_merge(
    shelf: Shelf,
    library: Path,
    corpus: Path,
    mongo_uri: str,
    mongo_db_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pymongo import MongoClient

    records = _insert_tutorial_records(corpus, mongo_uri, mongo_db_name)
    monkeypatch.setenv("DB_NAME", mongo_db_name)
    refused = shelf("migrate", "--to", mongo_uri)
    assert refused.exit_code == 1
    assert "2 record(s) the tutorial's scripts wrote" in refused.stderr
    assert "--merge" in refused.stderr
    with MongoClient(mongo_uri) as client:
        essays = client[mongo_db_name]["ai_essay"]
        assert essays.count_documents({}) == 2
        assert essays.count_documents({"papershelf": {"$exists": True}}) == 0

    merged = shelf("migrate", "--to", mongo_uri, "--merge", "--json")
    assert merged.exit_code == 0, merged.output
    payload = json.loads(merged.stdout)
    assert payload["verified"] is True and payload["papers"] == 3
    # the SmolVLM record has the ObjectId the copied paper came from (its legacy id): the paper
    # takes it over; the other record stays as it was, for papershelf to adopt when it opens
    assert payload["kept_records"] == 1
    with MongoClient(mongo_uri) as client:
        essays = client[mongo_db_name]["ai_essay"]
        assert essays.count_documents({}) == 4
        untouched = [r for r in records if essays.find_one({"_id": r["_id"]}) == r]
        assert [r["arxiv_id"] for r in untouched] == ["2501.09898v4"]


def test_a_mongodb_source_with_tutorial_records_copies_them_as_papers(
    shelf: Shelf,
    corpus: Path,
    tmp_path: Path,
    mongo_uri: str,
    mongo_db_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = _insert_tutorial_records(corpus, mongo_uri, mongo_db_name)
    monkeypatch.setenv("DB_NAME", mongo_db_name)
    target = tmp_path / "copy.db"
    result = shelf("migrate", "--from", mongo_uri, "--to", f"sqlite:///{target}", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["papers"] == 2 and payload["verified"] is True
    assert payload["vectors"][DEFAULT_SPACE] == payload["passages"] > 0
    copied = SqliteStore(target)
    try:
        legacy_ids = {paper.legacy_id for paper in copied.list(limit=10)}
        assert legacy_ids == {str(record["_id"]) for record in records}
    finally:
        copied.close()
    found = shelf("--store", f"sqlite:///{target}", "search", "SmolVLM pixel shuffle", "--json")
    assert "arxiv:2504.05299" in {hit["paper_id"] for hit in json.loads(found.stdout)["hits"]}
