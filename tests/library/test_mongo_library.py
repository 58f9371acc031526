"""A Library on the MongoDB store: the tutorial's own records are adopted and served, and search
(lexical, hybrid, the MCP tool) answers as the same library on SQLite does."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from bson import ObjectId, json_util
from mcp import Client
from pymongo import MongoClient

from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.search.indexing import vector_space
from papershelf.server.app import build_server
from tests.server.papers import write_papers

QUERIES = [
    "pixel shuffle visual tokens",
    "zero-shot stereo matching",
    "像素重排如何减少视觉标记?",
    "experiments settings seeds",
]


@pytest.fixture(scope="module")
def libraries(mongo_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The four test papers in a SQLite library and in a Mongo library."""
    papers = write_papers(tmp_path_factory.mktemp("papers"))
    sqlite = Library(Settings(home=tmp_path_factory.mktemp("sqlite-home")))
    mongo = Library(
        Settings(
            home=tmp_path_factory.mktemp("mongo-home"),
            store=mongo_server.uri,
            db_name="papershelf_same_library",
        )
    )
    for library in (sqlite, mongo):
        report = library.add([str(p) for p in papers])
        assert report.ok, report.failures
    yield sqlite, mongo
    sqlite.close()
    mongo.close()


def hits(library: Library, query: str, mode: str) -> list[tuple[str, int, float]]:
    return [
        (hit.passage.paper_id, hit.passage.ordinal, round(hit.score, 9))
        for hit in library.search(query, limit=5, mode=mode)  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_search_on_mongo_finds_what_sqlite_finds(libraries, mode: str) -> None:
    sqlite, mongo = libraries
    assert mongo.store.count() == sqlite.store.count() == 4
    for query in QUERIES:
        expected = hits(sqlite, query, mode)
        assert expected, query
        assert hits(mongo, query, mode) == expected, query


@pytest.mark.anyio
async def test_the_search_tool_answers_from_the_mongo_library(libraries) -> None:
    sqlite, mongo = libraries
    found = {}
    for name, library in (("sqlite", sqlite), ("mongo", mongo)):
        async with Client(build_server(library)) as client:
            result = await client.call_tool("search_papers", {"query": "pixel shuffle"})
        assert not result.is_error
        found[name] = [(h["paper_id"], h["citation"]) for h in result.structured_content["hits"]]
    assert found["mongo"] and found["mongo"] == found["sqlite"]


# The tutorial's own records


@pytest.fixture
def tutorial_records(corpus: Path, mongo_uri: str, mongo_db_name: str) -> Iterator[list[dict]]:
    """The tutorial's two essays, inserted as its ingestion script inserts them (plain pymongo)."""
    text = (corpus / "docs" / "essay_database.ai_essay.json").read_text(encoding="utf-8")
    records = json_util.loads(text)
    with MongoClient(mongo_uri) as client:
        client[mongo_db_name]["ai_essay"].insert_many([dict(r) for r in records])
    yield records


def test_a_library_adopts_the_tutorials_records_in_place(
    tutorial_records, mongo_uri: str, mongo_db_name: str, papershelf_home: Path
) -> None:
    settings = Settings(home=papershelf_home, store=mongo_uri, db_name=mongo_db_name)
    with Library(settings) as library:
        assert library.count() == 2
        assert library.embedder is not None
        assert library.store.count_missing_vectors(vector_space(library.embedder)) == 0
        found = library.search("SmolVLM pixel shuffle", limit=3, mode="lexical")
        assert found and found[0].citation.title.startswith("SmolVLM")
        assert library.get(str(tutorial_records[0]["_id"])).legacy_id == str(
            tutorial_records[0]["_id"]
        )
    with MongoClient(mongo_uri) as client:
        essays = client[mongo_db_name]["ai_essay"]
        assert essays.count_documents({}) == 2
        for record in tutorial_records:
            stored = essays.find_one({"_id": record["_id"]})
            assert {k: v for k, v in stored.items() if k != "papershelf"} == record
        # the tutorial's server code still works on the adopted records
        listed = list(essays.find({}, {"content": 0}).sort("publish_date", 1))
        assert [e["arxiv_id"] for e in listed] == ["2501.09898v4", "2504.05299v1"]
        essay = essays.find_one({"_id": ObjectId(str(listed[1]["_id"]))})
        assert essay["content"] == tutorial_records[0]["content"]


def test_a_record_without_content_is_set_aside_not_fatal(
    mongo_uri: str, mongo_db_name: str, papershelf_home: Path
) -> None:
    with MongoClient(mongo_uri) as client:
        client[mongo_db_name]["ai_essay"].insert_one({"title": "empty", "content": ""})
    settings = Settings(home=papershelf_home, store=mongo_uri, db_name=mongo_db_name)
    with Library(settings) as library:
        assert library.count() == 0
    with MongoClient(mongo_uri) as client:
        record = client[mongo_db_name]["ai_essay"].find_one({"title": "empty"})
        assert "no content" in record["papershelf_skipped"]
