"""The names of the tensors a GGUF file holds, read from its header (the layout of GGUF versions
2 and 3: github.com/ggml-org/ggml/blob/master/docs/gguf.md), without loading the model. A damaged
or hostile header is refused: every length is checked against what is left of the file before
it is skipped or read, and arrays nest at most NESTING deep."""

import os
import struct
from pathlib import Path
from typing import BinaryIO

from papershelf.core.errors import ConfigError

MAGIC = b"GGUF"
NAME_LIMIT = 1 << 16
NESTING = 8
_STRING, _ARRAY = 8, 9
# Bytes of each fixed-size value type, by its GGUF type number.
_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


class _Damaged(Exception):
    """The header does not hold together."""


def tensor_names(path: Path) -> list[str]:
    """Raises ConfigError for a file that is not GGUF, or is cut short or damaged."""
    with path.open("rb") as model:
        if model.read(4) != MAGIC:
            raise ConfigError(f"{path} is not a GGUF file")
        try:
            return _Header(model).tensor_names(path)
        except (_Damaged, struct.error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not a whole GGUF file: {exc}") from exc


class _Header:
    def __init__(self, model: BinaryIO):
        self.model = model
        self.size = os.fstat(model.fileno()).st_size

    def tensor_names(self, path: Path) -> list[str]:
        version, tensors, values = struct.unpack("<IQQ", self._read(20))
        if version < 2:
            raise ConfigError(f"{path} is GGUF version {version}; convert it again")
        for _ in range(values):
            self._string()
            self._skip_value(self._u32(), depth=0)
        names = []
        for _ in range(tensors):
            names.append(self._string())
            dimensions = self._u32()
            self._skip(8 * dimensions + 4 + 8)  # the shape, the type, the offset
        return names

    def _read(self, size: int) -> bytes:
        self._check(size)
        return self.model.read(size)

    def _skip(self, size: int) -> None:
        self._check(size)
        self.model.seek(size, os.SEEK_CUR)

    def _check(self, size: int) -> None:
        if size > self.size - self.model.tell():
            raise _Damaged("the file ends inside its header")

    def _u32(self) -> int:
        return int(struct.unpack("<I", self._read(4))[0])

    def _u64(self) -> int:
        return int(struct.unpack("<Q", self._read(8))[0])

    def _string(self) -> str:
        """A key or a tensor's name (short: a longer one means a damaged header)."""
        length = self._u64()
        if length > NAME_LIMIT:
            raise _Damaged(f"a name of {length} bytes")
        return self._read(length).decode("utf-8")

    def _skip_value(self, kind: int, depth: int) -> None:
        if kind == _STRING:
            self._skip(self._u64())
        elif kind == _ARRAY:
            if depth >= NESTING:
                raise _Damaged(f"arrays nested over {NESTING} deep")
            item_kind, count = self._u32(), self._u64()
            if item_kind in _SIZES:
                self._skip(_SIZES[item_kind] * count)
            else:
                for _ in range(count):  # each item takes at least 8 bytes: ends with the file
                    self._skip_value(item_kind, depth + 1)
        elif kind in _SIZES:
            self._skip(_SIZES[kind])
        else:
            raise _Damaged(f"unknown value type {kind}")
