"""Connecting to MongoDB: short bounded waits, errors that name the server (never its password),
and what the server can do (transactions)."""

from typing import Any

import pymongo
from pymongo.errors import ConfigurationError, ConnectionFailure, InvalidURI, OperationFailure

from papershelf.core.errors import StoreError
from papershelf.storage.mongo_uri import redact

# Bounded waits unless the URI sets its own: a stopped server is reported in seconds, not after
# pymongo's 30 s default; pymongo keeps retrying reads and writes within this window.
DEFAULT_TIMEOUTS_MS = {
    "serverSelectionTimeoutMS": 3_000,
    "connectTimeoutMS": 3_000,
    "socketTimeoutMS": 60_000,
}
_AUTH_FAILED = 18


def connect(uri: str) -> pymongo.MongoClient:
    """A client for the URI; StoreError when it cannot be used. Does not wait for the server."""
    lowered = uri.lower()
    options: dict[str, Any] = {
        name: ms for name, ms in DEFAULT_TIMEOUTS_MS.items() if name.lower() not in lowered
    }
    try:
        return pymongo.MongoClient(uri, tz_aware=True, appname="papershelf", **options)
    except (InvalidURI, ConfigurationError, ValueError, TypeError) as exc:
        raise StoreError(
            f"cannot use the MongoDB URI {redact(uri)}: {exc}; write it as "
            "mongodb://[user:password@]host[:port]/ in PAPERSHELF_STORE"
        ) from exc


def store_error(exc: Exception, uri: str) -> StoreError:
    """A one-line StoreError for a pymongo error, naming the server and what to do."""
    where = redact(uri)
    if isinstance(exc, ConnectionFailure):
        reason = str(exc).split(", Timeout:")[0].split("\n")[0][:200]
        return StoreError(
            f"cannot reach MongoDB at {where} ({reason}); start the server or fix "
            "PAPERSHELF_STORE (wait longer with ?serverSelectionTimeoutMS=10000)"
        )
    if isinstance(exc, OperationFailure) and exc.code == _AUTH_FAILED:
        return StoreError(
            f"MongoDB at {where} refused the login; check the user and password in PAPERSHELF_STORE"
        )
    return StoreError(f"MongoDB at {where} failed: {str(exc)[:300]}")


def supports_transactions(client: pymongo.MongoClient) -> bool:
    """Multi-document transactions need a replica set member or a mongos; a standalone mongod
    refuses them (SecantusDB started without a replica set name accepts them, but the store goes by
    the topology, as it must for mongod)."""
    hello = client.admin.command("hello")
    return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"
