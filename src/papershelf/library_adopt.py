"""Adopting papers the tutorial's own scripts wrote into a MongoDB store: records with only the
tutorial's fields become papershelf papers in place (same `_id`, same fields), with sections and
passages, so search and the MCP tools serve them."""

import json
import logging
from typing import Any, Protocol

from papershelf.core.errors import InputError, PapershelfError, StoreError
from papershelf.storage.base import Store

log = logging.getLogger(__name__)


class AdoptingStore(Store, Protocol):
    """A store that can hold records papershelf did not write (the MongoDB store)."""

    def unindexed_records(self, limit: int = 1000) -> list[dict[str, Any]]: ...

    def skip_record(self, record_id: Any, reason: str) -> None: ...

    def foreign_records(self) -> int: ...


def foreign_record_count(store: Store) -> int:
    """How many records the store holds that papershelf did not write (the tutorial's scripts'
    records not adopted yet, or set aside as unusable); 0 for a store that cannot hold any."""
    if not hasattr(store, "foreign_records"):
        return 0
    adopting: AdoptingStore = store  # type: ignore[assignment]
    return adopting.foreign_records()


def adopt_tutorial_records(store: Store, collection: str) -> list[str]:
    """Index every record the store holds without papershelf's fields; the paper ids adopted.
    A record that cannot become a paper (no content, an `_id` that is not an ObjectId, or its paper
    is already stored under another record) is set aside with the reason, logged, and not offered
    again. A store error (a write conflict, a failover) is raised: the record stays for next time."""
    if not hasattr(store, "unindexed_records"):
        return []
    adopting: AdoptingStore = store  # type: ignore[assignment]
    adopted: list[str] = []
    seen: set[str] = set()
    while records := adopting.unindexed_records():
        if all(_record_key(record) in seen for record in records):
            log.warning(
                "%d records of %s could be neither indexed nor set aside; left as they are",
                len(records),
                collection,
            )
            break  # a pass that changes nothing would repeat forever
        for record in records:
            key = _record_key(record)
            try:
                if key in seen:
                    raise InputError("it could not be indexed in place")
                seen.add(key)
                adopted.append(_adopt(adopting, record, collection))
            except (InputError, _NotAdoptable, StoreError) as exc:
                if isinstance(exc, StoreError) and not _never_storable(exc):
                    raise  # transient (a write conflict, a failover): offered again next time
                log.warning("cannot index the record %s of %s: %s", key, collection, exc)
                adopting.skip_record(record.get("_id"), str(exc))
    return adopted


class _NotAdoptable(PapershelfError):
    """The record cannot become a paper in place."""


def _adopt(store: AdoptingStore, record: dict[str, Any], collection: str) -> str:
    record_id = record.get("_id")
    if not (isinstance(record_id, dict) and "$oid" in record_id):
        raise _NotAdoptable(
            f"its _id {json.dumps(record_id)} is not an ObjectId, and papershelf adopts records "
            "in place only by ObjectId; re-insert it without an _id to have it indexed"
        )
    from papershelf.ingest.tutorial_import import documents_from_tutorial_export

    data = json.dumps([record], ensure_ascii=False).encode("utf-8", "backslashreplace")
    origin = f"mongodb:{collection}"
    found = documents_from_tutorial_export(
        data, origin, collection, lambda legacy_id: store.find(legacy_id=legacy_id)
    )
    for _, document in found:
        stored = store.get(document.paper.id)
        if stored is not None and stored.legacy_id != document.paper.legacy_id:
            raise _NotAdoptable(f"{document.paper.id} is already stored from another record")
        store.put(document)
        return document.paper.id
    raise _NotAdoptable("the record holds no essay")


def _never_storable(exc: StoreError) -> bool:
    """A store error no retry can cure: the paper's arXiv id is another paper's, or the paper is
    too big for MongoDB."""
    return any(
        sign in str(exc) for sign in ("stored under another paper id", "cannot hold this paper")
    )


def _record_key(record: dict[str, Any]) -> str:
    return json.dumps(record.get("_id"), sort_keys=True)
