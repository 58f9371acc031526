"""The MongoDB store keeps the tutorial's layout (its own pymongo calls still work), ranks exactly
as the SQLite store does, and detects what the server can do."""

import random
from datetime import UTC, date, datetime

import pytest
from bson import ObjectId
from pymongo import MongoClient, monitoring

from papershelf.core.models import PaperFilter
from papershelf.core.textindex import query_terms
from papershelf.storage import shared
from papershelf.storage.mongo import MongoStore
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import make_document


@pytest.fixture
def raw(mongo_uri: str, mongo_db_name: str, mongo_store: MongoStore):
    client = MongoClient(mongo_uri)
    yield client[mongo_db_name]
    client.close()


def smolvlm(**fields):
    fields.setdefault("legacy_id", "69670233c375f34f0c97ff09")
    return make_document(
        "arxiv:2504.05299",
        ["Pixel shuffle compresses visual tokens.", "SmolVLM runs on phones."],
        title="SmolVLM: Redefining small and efficient multimodal models",
        arxiv_id="2504.05299",
        version=1,
        authors=["Andrés Marafioti", "Orr Zohar"],
        categories=["Computer Vision"],
        keywords=["SmolVLM", "像素洗牌"],
        published=date(2025, 4, 8),
        added=datetime(2026, 1, 14, 10, 40, 51, 123456, tzinfo=UTC),
        **fields,
    )


def test_a_paper_is_one_document_in_the_tutorials_shape(mongo_store, raw) -> None:
    mongo_store.put(smolvlm())
    doc = raw["ai_essay"].find_one({"_id": ObjectId("69670233c375f34f0c97ff09")})
    assert {key: doc[key] for key in doc if key not in ("_id", "papershelf")} == {
        "arxiv_id": "2504.05299v1",
        "title": "SmolVLM: Redefining small and efficient multimodal models",
        "authors": ["Andrés Marafioti", "Orr Zohar"],
        "categories": ["Computer Vision"],
        "keywords": ["SmolVLM", "像素洗牌"],
        "content": "Pixel shuffle compresses visual tokens.\nSmolVLM runs on phones.",
        "publish_date": "2025-04-08",
        "insert_date": "2026-01-14 10:40:51",
    }
    assert doc["papershelf"]["id"] == "arxiv:2504.05299"
    # papershelf's own copy keeps what the tutorial's formats cannot (microseconds, time zone)
    assert mongo_store.get("arxiv:2504.05299").added == smolvlm().paper.added


def test_the_tutorials_server_code_reads_papershelfs_papers(mongo_store, raw) -> None:
    mongo_store.put(smolvlm())
    mongo_store.put(make_document("doc:1", ["Notes."], title="Notes", published=date(2024, 1, 2)))
    # exactly what the tutorial's MCP server does
    essays = list(raw["ai_essay"].find({}, {"content": 0}).sort("publish_date", 1))
    assert [essay["title"] for essay in essays] == [
        "Notes",
        "SmolVLM: Redefining small and efficient multimodal models",
    ]
    assert all("content" not in essay for essay in essays)
    essay = raw["ai_essay"].find_one({"_id": ObjectId(str(essays[1]["_id"]))})
    assert essay["content"].startswith("Pixel shuffle")


def test_a_paper_without_an_object_id_keeps_the_one_it_was_given(mongo_store, raw) -> None:
    mongo_store.put(make_document("doc:1", ["first"]))
    first = raw["ai_essay"].find_one({"papershelf.id": "doc:1"})["_id"]
    mongo_store.put(make_document("doc:1", ["second"]))
    assert raw["ai_essay"].find_one({"papershelf.id": "doc:1"})["_id"] == first
    assert raw["ai_essay"].count_documents({}) == 1


def test_fields_other_tools_added_to_a_paper_survive_a_replace(mongo_store, raw) -> None:
    mongo_store.put(smolvlm())
    raw["ai_essay"].update_one({"papershelf.id": "arxiv:2504.05299"}, {"$set": {"rating": 5}})
    mongo_store.put(smolvlm(abstract="new abstract"))
    assert raw["ai_essay"].find_one({"papershelf.id": "arxiv:2504.05299"})["rating"] == 5


def test_imported_fields_with_mongo_unfriendly_keys_round_trip(mongo_store) -> None:
    document = smolvlm(legacy_fields={"publish_date": {"$date": "2025-04-08T00:00:00Z"}, "a.b": 1})
    mongo_store.put(document)
    assert mongo_store.get_document("arxiv:2504.05299") == document


def test_passages_live_in_a_companion_collection_with_their_index_tokens(mongo_store, raw) -> None:
    mongo_store.put(smolvlm())
    passage = raw["ai_essay.passages"].find_one({"paper_id": "arxiv:2504.05299", "ordinal": 0})
    assert "pixel" in passage["terms"] and "shuffl" in passage["terms"]  # FTS5's porter stems
    # search reads them into memory (mongo_postings.py): no server index has to keep them
    assert "terms_1" not in raw["ai_essay.passages"].index_information()


# Capabilities


def test_a_replica_set_gets_transactions(mongo_store) -> None:
    assert mongo_store.transactions is True


# Same ranking as SQLite

_WORDS = [
    "model",
    "models",
    "token",
    "tokens",
    "pixel",
    "shuffle",
    "vision",
    "language",
    "small",
    "efficient",
    "memory",
    "image",
    "video",
    "benchmark",
    "accuracy",
    "training",
    "data",
    "layer",
    "attention",
    "encoder",
    "decoder",
    "compress",
    "81.6",
    "qwen2.5",
    "像素",
    "洗牌",
    "模型",
    "视觉",
    "压缩",
    "推理",
]


def _corpus(seed: int = 7) -> list:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(_WORDS))]
    documents = []
    for number in range(12):
        texts = [
            " ".join(rng.choices(_WORDS, weights, k=rng.randint(5, 40)))
            for _ in range(rng.randint(1, 12))
        ]
        documents.append(
            make_document(
                f"doc:{number:012d}",
                texts,
                title=" ".join(rng.sample(_WORDS, 3)),
                section=" ".join(rng.sample(_WORDS, 2)),
                published=date(2020 + number % 5, 1, 1),
                collections=["even" if number % 2 == 0 else "odd"],
            )
        )
    return documents


_QUERIES = [
    "pixel shuffle",
    "efficient small vision models",
    "81.6 accuracy",
    "qwen2.5",
    "像素洗牌如何压缩视觉模型",
    "memory of the token encoder",
    "attention",
]


def _ranking(store, query: str, **filters):
    filter = PaperFilter(**filters) if filters else None
    return [
        (passage.paper_id, passage.ordinal, score)
        for passage, score in store.search_lexical(query_terms(query), limit=10, filter=filter)
    ]


def _scores(store, terms: list[str]):
    return [(p.paper_id, p.ordinal, score) for p, score in store.search_lexical(terms, limit=10)]


@pytest.fixture(scope="module")
def both(mongo_server, tmp_path_factory: pytest.TempPathFactory):
    """The same papers in a SQLite and a Mongo store, shared by the read-only ranking tests."""
    sqlite = SqliteStore(tmp_path_factory.mktemp("same") / "same.db")
    mongo = MongoStore(mongo_server.uri, "papershelf_same_ranking", "ai_essay")
    for document in _corpus():
        sqlite.put(document)
        mongo.put(document)
    yield sqlite, mongo
    sqlite.close()
    mongo.close()


@pytest.mark.parametrize("query", _QUERIES)
def test_lexical_search_ranks_and_scores_as_sqlite_does(both, query: str) -> None:
    sqlite, mongo = both
    expected = _ranking(sqlite, query)
    assert expected
    assert _ranking(mongo, query) == expected


def test_filtered_search_ranks_as_sqlite_does(both) -> None:
    sqlite, mongo = both
    for filters in (
        {"collection": "odd"},
        {"year_from": 2022},
        {"paper_ids": ["doc:000000000003"]},
    ):
        assert _ranking(mongo, "model pixel", **filters) == _ranking(
            sqlite, "model pixel", **filters
        )


def test_rare_terms_first_keeps_the_same_ranking(both, monkeypatch) -> None:
    sqlite, mongo = both
    monkeypatch.setattr(shared, "MIN_BUDGET", 8)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.01)
    for query in ("video model token", "qwen2.5 model", "推理 model"):
        expected = _ranking(sqlite, query)
        assert expected
        assert _ranking(mongo, query) == expected


def test_terms_in_half_the_passages_are_left_out_alike(both, monkeypatch) -> None:
    """Next to rare terms, a term in at least half the passages adds at most 1e-6 to a score:
    both stores leave it out, so their scores stay equal to the last bit."""
    sqlite, mongo = both
    monkeypatch.setattr(shared, "MIN_BUDGET", 12)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.01)
    for query in ("layer model token", "推理 model image"):
        terms = query_terms(query)
        assert "model" in terms
        without = [term for term in terms if term != "model"]
        assert _scores(sqlite, terms) == _scores(sqlite, without)
        expected = _ranking(sqlite, query)
        assert expected
        assert _ranking(mongo, query) == expected


@pytest.mark.parametrize(("passages", "weightless", "weighs"), [(40, 20, 19), (41, 21, 20)])
def test_the_half_boundary_is_the_same_in_both_stores(
    mongo_server, tmp_path, monkeypatch, passages, weightless, weighs
) -> None:
    """A term in exactly half the passages (or the first past half of an odd count) is left out
    by both stores, one just under half is scored by both: the scores stay equal to the bit."""
    monkeypatch.setattr(shared, "MIN_BUDGET", 5)
    monkeypatch.setattr(shared, "BUDGET_SHARE", 0.0)
    texts = []
    for number in range(passages):
        words = ["results"]
        words += ["okapi"] if number < 3 else []
        words += ["half"] if number < weightless else []
        words += ["under"] if passages - number <= weighs else []
        texts.append(" ".join(words) + f" number {number}")
    document = make_document("doc:000000000001", texts, title="Counts", section="Results")
    sqlite = SqliteStore(tmp_path / "half.db")
    mongo = MongoStore(mongo_server.uri, f"papershelf_half_{passages}", "ai_essay")
    try:
        sqlite.put(document)
        mongo.put(document)
        expected = _ranking(sqlite, "okapi half under")
        assert len(expected) == 3
        assert _ranking(mongo, "okapi half under") == expected
    finally:
        sqlite.close()
        mongo.close()


# A term FTS5 splits into several tokens is a phrase: adjacency, instances and IDF as FTS5 has them

_PHRASE_TEXTS = [
    ["carbon-free power for carbon-free data centres", "free carbon credits are not free"],
    ["the carbon tax is free of loopholes", "carbon free carbon free carbon free"],
    ["emissions of a carbon-free grid", "state-of-the-art emissions models"],
    ["the art of the state", "state of the art state of the art emissions"],
    ["carbon emissions and free cooling"],
]


@pytest.fixture(scope="module")
def phrased(mongo_server, tmp_path_factory: pytest.TempPathFactory):
    sqlite = SqliteStore(tmp_path_factory.mktemp("phrases") / "phrases.db")
    mongo = MongoStore(mongo_server.uri, "papershelf_phrases", "ai_essay")
    for number, texts in enumerate(_PHRASE_TEXTS):
        title = "Carbon-free computing" if number == 4 else f"Paper {number}"
        document = make_document(f"doc:{number:012d}", texts, title=title, section="Results")
        sqlite.put(document)
        mongo.put(document)
    yield sqlite, mongo
    sqlite.close()
    mongo.close()


@pytest.mark.parametrize(
    "terms",
    [
        ["carbon-free"],
        ["carbon-free", "emissions"],
        ["state-of-the-art", "emissions"],
        ["free-carbon", "art-of-the-state"],
        ["carbon-free", "carbon", "free"],
    ],
)
def test_multi_token_terms_rank_and_score_as_sqlite_phrases_do(phrased, terms) -> None:
    sqlite, mongo = phrased

    def ranking(store):
        found = store.search_lexical(terms, limit=20)
        return [(passage.paper_id, passage.ordinal, score) for passage, score in found]

    expected = ranking(sqlite)
    assert expected
    assert ranking(mongo) == expected


def test_a_phrase_matches_only_where_its_tokens_are_adjacent(phrased) -> None:
    _, mongo = phrased
    found = {(p.paper_id, p.ordinal) for p, _ in mongo.search_lexical(["free-carbon"], limit=20)}
    # "free carbon credits" and "carbon free carbon free ..." hold it; "free cooling" does not
    assert found == {("doc:000000000000", 1), ("doc:000000000001", 1)}


# Round trips of a search


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.recording = False
        self.sent: list[dict] = []

    def started(self, event) -> None:  # type: ignore[override]
        if self.recording:
            self.sent.append(dict(event.command))

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


def test_a_warm_search_reads_the_version_and_the_winners_texts_only(mongo_server) -> None:
    commands = _Commands()
    monitoring.register(commands)  # global: only clients made from here on report to it
    mongo = MongoStore(mongo_server.uri, "papershelf_round_trips", "ai_essay")
    try:
        for document in _corpus():
            mongo.put(document)
        mongo.search_lexical(["pixel", "shuffle"], limit=5)  # reads the index into memory
        commands.recording = True
        found = mongo.search_lexical(["pixel", "shuffle"], limit=5)
        commands.recording = False
    finally:
        mongo.close()
    assert found
    sent = [(next(iter(command)), command[next(iter(command))]) for command in commands.sent]
    assert sent == [("find", "ai_essay.meta"), ("find", "ai_essay.passages")]
    assert len(commands.sent[1]["filter"]["_id"]["$in"]) == len(found)  # the winners, by key
