"""Atomic writes: the old content or the whole new one, and no temporary file left behind."""

from pathlib import Path

import pytest

from papershelf.core.files import write_atomically


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "files"
    made.mkdir()
    return made


def test_a_write_replaces_the_whole_file(folder: Path) -> None:
    target = folder / "data.bin"
    target.write_bytes(b"old")
    write_atomically(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in folder.iterdir()] == ["data.bin"]


def test_a_failed_write_keeps_what_was_there_and_leaves_no_temporary(folder: Path) -> None:
    target = folder / "taken"
    target.mkdir()  # a folder where the file should go: the rename fails
    (target / "inside").write_text("kept")
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert (target / "inside").read_text() == "kept"
    assert [p.name for p in folder.iterdir()] == ["taken"]
