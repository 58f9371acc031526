"""Document frequencies in the MongoDB store, kept in a fixed number of bucket documents.

A paper adds thousands of distinct index tokens and lexicon words; one `$inc` per bucket (a few
hundred fields each) instead of one upsert per word makes a put about ten times cheaper, and a
reader fetches a word's count by projecting its one field. Field names cannot hold '.', which
tokens such as '81.6' do, so it is stored as ONE DOT LEADER (never part of a token).
"""

import zlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pymongo import UpdateOne
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

BUCKETS = 256
_DOT, _STAND_IN = ".", "\u2024"


def _field(word: str) -> str:
    return "n." + word.replace(_DOT, _STAND_IN)


def _word(field: str) -> str:
    return field.replace(_STAND_IN, _DOT)


class Counts:
    """Signed counts per word under one prefix of a counts collection."""

    def __init__(self, collection: Collection, prefix: str):
        self.collection, self.prefix = collection, prefix

    def _bucket(self, word: str) -> str:
        return f"{self.prefix}:{zlib.crc32(word.encode('utf-8')) % BUCKETS}"

    def add(self, changes: Counter[str], session: ClientSession | None = None) -> None:
        """Add the (signed) changes; a word counted down to 0 stays as 0 until `replace_all`."""
        grouped: dict[str, dict[str, int]] = {}
        for word, change in changes.items():
            if change:
                grouped.setdefault(self._bucket(word), {})[_field(word)] = change
        if grouped:
            self.collection.bulk_write(
                [UpdateOne({"_id": b}, {"$inc": inc}, upsert=True) for b, inc in grouped.items()],
                ordered=False,
                session=session,
            )

    def get(self, words: Iterable[str]) -> dict[str, int]:
        """The counts of these words (0 for an unknown word)."""
        wanted = list(dict.fromkeys(words))
        if not wanted:
            return {}
        buckets = list({self._bucket(word) for word in wanted})
        projection = {_field(word): 1 for word in wanted}
        found: dict[str, int] = {}
        for doc in self.collection.find({"_id": {"$in": buckets}}, projection):
            found.update({_word(key): int(n) for key, n in doc.get("n", {}).items()})
        return {word: max(found.get(word, 0), 0) for word in wanted}

    def all(self, at_least: int = 1) -> dict[str, int]:
        """Every word counted at least `at_least` times."""
        found: dict[str, int] = {}
        for doc in self.collection.find({"_id": {"$regex": f"^{self.prefix}:"}}):
            found.update(
                {_word(key): int(n) for key, n in doc.get("n", {}).items() if n >= at_least}
            )
        return found

    def replace_all(self, counts: Counter[str]) -> None:
        """Replace every count (rebuilding the index): words at 0 disappear."""
        self.collection.delete_many({"_id": {"$regex": f"^{self.prefix}:"}})
        grouped: dict[str, dict[str, Any]] = {}
        for word, n in counts.items():
            if n > 0:
                grouped.setdefault(self._bucket(word), {})[word.replace(_DOT, _STAND_IN)] = n
        if grouped:
            self.collection.insert_many([{"_id": b, "n": n} for b, n in grouped.items()])
