"""The names of the tensors a GGUF file holds, read from its header (the layout of GGUF versions
2 and 3: github.com/ggml-org/ggml/blob/master/docs/gguf.md), without loading the model."""

import struct
from pathlib import Path
from typing import BinaryIO

from papershelf.core.errors import ConfigError

MAGIC = b"GGUF"
NAME_LIMIT = 1 << 16
_STRING, _ARRAY = 8, 9
# Bytes of each fixed-size value type, by its GGUF type number.
_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def tensor_names(path: Path) -> list[str]:
    """Raises ConfigError for a file that is not GGUF (or is cut short)."""
    with path.open("rb") as model:
        try:
            if model.read(4) != MAGIC:
                raise ConfigError(f"{path} is not a GGUF file")
            version, tensors, values = struct.unpack("<IQQ", _exactly(model, 20))
            if version < 2:
                raise ConfigError(f"{path} is GGUF version {version}; convert it again")
            for _ in range(values):
                _string(model)
                _skip_value(model, _u32(model))
            names = []
            for _ in range(tensors):
                names.append(_string(model))
                dimensions = _u32(model)
                model.seek(8 * dimensions + 4 + 8, 1)  # the shape, the type, the offset
            return names
        except (EOFError, struct.error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not a whole GGUF file: {exc}") from exc


def _exactly(model: BinaryIO, size: int) -> bytes:
    data = model.read(size)
    if len(data) != size:
        raise EOFError("the file ends inside its header")
    return data


def _u32(model: BinaryIO) -> int:
    return int(struct.unpack("<I", _exactly(model, 4))[0])


def _string(model: BinaryIO) -> str:
    """A key or a tensor's name (short: a longer one means a damaged header)."""
    (length,) = struct.unpack("<Q", _exactly(model, 8))
    if length > NAME_LIMIT:
        raise EOFError(f"a name of {length} bytes")
    return _exactly(model, length).decode("utf-8")


def _skip_value(model: BinaryIO, kind: int) -> None:
    if kind == _STRING:
        (length,) = struct.unpack("<Q", _exactly(model, 8))
        model.seek(length, 1)
    elif kind == _ARRAY:
        item_kind = _u32(model)
        (count,) = struct.unpack("<Q", _exactly(model, 8))
        if item_kind in _SIZES:
            model.seek(_SIZES[item_kind] * count, 1)
        else:
            for _ in range(count):
                _skip_value(model, item_kind)
    elif kind in _SIZES:
        model.seek(_SIZES[kind], 1)
    else:
        raise ConfigError(f"unknown GGUF value type {kind}")
