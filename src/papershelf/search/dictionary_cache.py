"""The parsed dictionary kept on disk, so a process reads it in ~0.15 s instead of parsing
CC-CEDICT and reading it backwards (~1.8 s on 2 cores): what a one-shot `papershelf search`
and a server's warm-up wait for.

The file is named by a digest of everything its contents follow from: CC-CEDICT's bytes, the
glossary, the source of the modules that parse and key them, and the Python version (marshal's
format). A stale file is never read, and is removed when a new one is written; a damaged or
unwritable one is ignored.
Values are stored joined ('/' between senses, ' ' between headwords: neither occurs inside one)
and split when a word is looked up, which keeps the load to a tenth of the lists'.
"""

import hashlib
import logging
import marshal
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from papershelf.core.files import remove_other_versions, write_atomically

log = logging.getLogger(__name__)

# English key -> glossary terms, English key -> headwords (dictionary.Dictionary.chinese).
Backwards = tuple[Mapping[str, list[str]], Mapping[str, list[str]]]

FORMAT = 1
_SENSES, _HEADS = "/", " "


class JoinedLists(Mapping[str, list[str]]):
    """A read-only mapping of str -> list[str] kept as joined strings, split on lookup (an empty
    list stays empty; empty strings inside a list are not kept apart from it)."""

    def __init__(self, joined: dict[str, str], separator: str):
        self._joined = joined
        self._separator = separator

    def __getitem__(self, key: str) -> list[str]:
        joined = self._joined[key]
        return joined.split(self._separator) if joined else []

    def __contains__(self, key: object) -> bool:
        return key in self._joined

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)


def cache_key(cedict: bytes, glossary: str, code: Iterable[str]) -> str:
    """The digest naming the file: `code` is the source files of what parses and keys it."""
    digest = hashlib.sha256(f"{FORMAT}|{sys.version}".encode())
    for source in (*code, __file__):
        digest.update(Path(source).read_bytes())
    digest.update(cedict)
    digest.update(glossary.encode())
    return digest.hexdigest()[:24]


def cache_file(folder: Path, key: str) -> Path:
    return folder / f"dictionary-{key}.marshal"


def read(folder: Path, key: str) -> tuple[JoinedLists, Backwards] | None:
    """Senses and the dictionary read backwards, when a file for `key` is there and whole."""
    try:
        senses, from_terms, from_senses = marshal.loads(cache_file(folder, key).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as exc:
        log.info("ignoring the dictionary cache in %s (%s)", folder, exc)
        return None
    return JoinedLists(senses, _SENSES), (from_terms, JoinedLists(from_senses, _HEADS))


def write(folder: Path, key: str, senses: Mapping[str, list[str]], backwards: Backwards) -> None:
    """Keep them for the next process; atomic (a reader sees the old file or the whole new one),
    and a folder that cannot be written only costs the next process the parse."""
    from_terms, from_senses = backwards
    data = marshal.dumps(
        (
            {word: _SENSES.join(found) for word, found in senses.items()},
            {key: list(found) for key, found in from_terms.items()},
            {key: _HEADS.join(found) for key, found in from_senses.items()},
        )
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(cache_file(folder, key), data)
    except OSError as exc:
        log.info("cannot keep the dictionary cache in %s (%s)", folder, exc)
        return
    remove_other_versions(cache_file(folder, key), "dictionary-")
