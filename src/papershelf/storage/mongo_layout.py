"""The collections of the MongoDB store, beside the paper collection the tutorial named."""

from dataclasses import dataclass

from pymongo import ASCENDING, IndexModel
from pymongo.collection import Collection
from pymongo.database import Database

from papershelf.storage.mongo_counts import Counts
from papershelf.storage.mongo_docs import LIST_ORDER

ARXIV_INDEX = "papershelf_arxiv_id"
# meta document with the analyser fingerprint the tokens were made by; `runs` counts every rebuild
ANALYZER_ID = "analyzer"


@dataclass
class Collections:
    papers: Collection
    passages: Collection
    counts: Collection  # document frequencies of lexicon words (mongo_counts)
    lexicon: Collection  # vectors of lexicon words
    meta: Collection

    @property
    def words(self) -> Counts:
        return Counts(self.counts, "word")

    @classmethod
    def of(cls, db: Database, collection: str) -> "Collections":
        return cls(
            papers=db[collection],
            passages=db[f"{collection}.passages"],
            counts=db[f"{collection}.counts"],
            lexicon=db[f"{collection}.lexicon"],
            meta=db[f"{collection}.meta"],
        )


def create_indexes(c: Collections) -> None:
    """The indexes the store relies on (one command per collection; no-ops when they exist). The
    unique ones are partial: documents the tutorial's scripts wrote have no papershelf fields."""
    has_id = {"papershelf.id": {"$exists": True}}
    has_arxiv_id = {"papershelf.paper.arxiv_id": {"$type": "string"}}
    c.papers.create_indexes(
        [
            IndexModel("papershelf.id", name="papershelf_id", unique=True,
                       partialFilterExpression=has_id),
            IndexModel("papershelf.paper.arxiv_id", name=ARXIV_INDEX, unique=True,
                       partialFilterExpression=has_arxiv_id),
            IndexModel("papershelf.paper.content_sha256"),
            IndexModel("papershelf.paper.file_sha256"),
            IndexModel("papershelf.paper.legacy_id"),
            IndexModel(LIST_ORDER, name="papershelf_list_order"),
            IndexModel("papershelf.collections"),
            IndexModel("papershelf.schema"),  # finds the documents nobody has indexed yet
            IndexModel("publish_date"),  # the tutorial's server lists papers by it
        ]
    )  # fmt: skip
    c.passages.create_indexes(
        [
            IndexModel(
                [("paper_id", ASCENDING), ("generation", ASCENDING), ("ordinal", ASCENDING)]
            ),
            IndexModel("embedder"),
        ]
    )
    c.lexicon.create_indexes([IndexModel("embedder")])
