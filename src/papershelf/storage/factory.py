"""Open the store a settings object names."""

from papershelf.core.errors import ConfigError
from papershelf.core.settings import Settings
from papershelf.storage.base import Store


def open_store(settings: Settings) -> Store:
    kind = settings.store_kind
    if kind == "sqlite":
        from papershelf.storage.sqlite import SqliteStore

        return SqliteStore(
            settings.sqlite_path, busy_timeout_s=settings.sqlite_busy_timeout_ms / 1000
        )
    if kind == "mongodb":
        try:
            from papershelf.storage.mongo import MongoStore
        except ImportError as exc:
            if (exc.name or "").split(".")[0] not in {"pymongo", "bson"}:
                raise
            raise ConfigError(
                f"the MongoDB store needs pymongo ({exc.name} is missing): "
                "pip install 'papershelf[mongo]'"
            ) from exc
        return MongoStore(settings.store, settings.db_name, settings.collection_name)
    raise ConfigError(
        f"the {kind} store is not available in this version; use PAPERSHELF_STORE=sqlite:///path/to/file.db"
    )
