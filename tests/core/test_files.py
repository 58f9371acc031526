"""Atomic writes: the old content or the whole new one, and no temporary file left behind."""

import os
import time
from pathlib import Path

import pytest

from papershelf.core.files import remove_other_versions, write_atomically


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


def test_removing_other_versions_leaves_other_kinds_and_recent_writes(folder: Path) -> None:
    current = folder / "use-tokenizer-new.marshal"
    current.write_bytes(b"current")
    older = folder / "use-tokenizer-old.marshal"
    other_kind = folder / "dictionary-old.marshal"
    writing = folder / ".use-tokenizer-new.marshal.x.tmp"
    abandoned = folder / ".use-tokenizer-old.marshal.y.tmp"
    for path in (older, other_kind, writing, abandoned):
        path.write_bytes(b"")
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    remove_other_versions(current, "use-tokenizer-")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [current.name, other_kind.name, writing.name]
    )
