"""City-name -> QWeather places cache in PAPERSHELF_HOME, shared safely by concurrent servers."""

import json
import logging
import os
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from papershelf.core.files import held_lock, write_atomically
from papershelf.weather.models import Place

log = logging.getLogger(__name__)

CACHE_VERSION = 1


def cache_key(name: str, lang: str) -> str:
    """The same place asked as ' 北京 ', '北京' or 'BEIJING' vs 'beijing' shares one entry."""
    folded = " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return f"{lang}|{folded}"


class CityCache:
    """JSON file of lookups: read without locking (writes are atomic), merged under a file lock."""

    def __init__(self, path: Path):
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")

    def get(self, name: str, lang: str) -> list[Place] | None:
        entry = self._read_entries().get(cache_key(name, lang))
        if entry is None:
            return None
        try:
            return [Place.model_validate(place) for place in entry["places"]]
        except (KeyError, TypeError, ValidationError):
            return None

    def put(self, name: str, lang: str, places: list[Place]) -> None:
        entry = {
            "query": name,
            "places": [place.model_dump(mode="json") for place in places],
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked():
            # Re-read under the lock so entries another server wrote since our last read survive.
            entries = self._read_entries(set_aside_if_corrupt=True)
            entries[cache_key(name, lang)] = entry
            self._write_atomically({"version": CACHE_VERSION, "entries": entries})

    def _read_entries(self, set_aside_if_corrupt: bool = False) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return self._corrupt(f"unreadable ({exc})", set_aside_if_corrupt)
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            return self._corrupt("not a city cache", set_aside_if_corrupt)
        return entries

    def _corrupt(self, why: str, set_aside: bool) -> dict[str, Any]:
        if set_aside:
            # Only done under the lock, so a file another writer just replaced is never moved.
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            os.replace(self.path, aside)
            log.warning("city cache %s was %s; moved to %s and rebuilt", self.path, why, aside)
        return {}

    def _write_atomically(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomically(self.path, text.encode("utf-8"))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Without flock (Windows) the atomic replace still keeps the file whole; merges may race.
        with held_lock(self._lock_path):
            yield
