"""Every kind of bad input: exit 1, one actionable line on stderr, no traceback, library unchanged."""

import sqlite3
import subprocess
import sys

import pytest

from tests.support.documents import PNG_1x1, write_encrypted_pdf, write_image_only_pdf, write_pdf


@pytest.fixture
def stocked(shelf, tmp_path):
    """A library holding one good paper, so 'unchanged' is meaningful."""
    good = write_pdf(tmp_path / "good.pdf")
    assert shelf("add", str(good)).exit_code == 0
    return shelf


def assert_refused(shelf, before: str, *args: str, expect: str) -> None:
    result = shelf("add", *args)
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert "Traceback" not in result.output
    assert message.count("\n") == 0, message
    assert expect.lower() in message.lower(), message
    assert shelf.database_digest() == before


def test_a_missing_path_is_refused(stocked, tmp_path):
    assert_refused(
        stocked, stocked.database_digest(), str(tmp_path / "nope.pdf"), expect="no such file"
    )


def test_an_empty_directory_is_refused(stocked, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_refused(stocked, stocked.database_digest(), str(empty), expect="no documents")


def test_a_zero_byte_file_is_refused(stocked, tmp_path):
    zero = tmp_path / "zero.pdf"
    zero.write_bytes(b"")
    assert_refused(stocked, stocked.database_digest(), str(zero), expect="empty")


def test_a_text_file_named_pdf_is_refused(stocked, tmp_path):
    fake = tmp_path / "fake.pdf"
    fake.write_text("just some notes, not a PDF at all\n")
    assert_refused(stocked, stocked.database_digest(), str(fake), expect="not a PDF")


def test_a_truncated_pdf_is_refused(stocked, tmp_path):
    whole = write_pdf(tmp_path / "whole.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 3])
    assert_refused(stocked, stocked.database_digest(), str(cut), expect="cut.pdf")


def test_an_encrypted_pdf_is_refused(stocked, tmp_path):
    locked = write_encrypted_pdf(tmp_path / "locked.pdf")
    assert_refused(stocked, stocked.database_digest(), str(locked), expect="password")


def test_an_image_is_refused(stocked, tmp_path):
    image = tmp_path / "figure.png"
    image.write_bytes(PNG_1x1)
    assert_refused(stocked, stocked.database_digest(), str(image), expect="image")


def test_an_image_named_pdf_is_refused(stocked, tmp_path):
    image = tmp_path / "scan.pdf"
    image.write_bytes(PNG_1x1)
    assert_refused(stocked, stocked.database_digest(), str(image), expect="image")


def test_a_pdf_without_a_text_layer_is_refused_and_not_stored(stocked, tmp_path):
    scan = write_image_only_pdf(tmp_path / "scan.pdf")
    assert_refused(stocked, stocked.database_digest(), str(scan), expect="text layer")


def test_an_invalid_arxiv_id_is_refused(stocked):
    assert_refused(stocked, stocked.database_digest(), "2504.5299", expect="not a valid arXiv id")


def test_a_locked_database_is_reported_and_nothing_is_written(stocked, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_SQLITE_BUSY_TIMEOUT_MS", "200")
    other = write_pdf(
        tmp_path / "other.pdf", pages=[[("Another Paper Title", 20), ("Some text here.", 10)]]
    )
    holder = sqlite3.connect(stocked.home / "papershelf.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = stocked("add", str(other))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "busy" in result.stderr.lower() or "locked" in result.stderr.lower()
    assert "Traceback" not in result.output
    listed = stocked("list", "--json")
    assert '"Another Paper Title"' not in listed.stdout


def test_good_inputs_are_kept_when_others_fail_and_every_failure_is_listed(shelf, tmp_path):
    good = write_pdf(tmp_path / "good.pdf")
    (tmp_path / "bad.pdf").write_text("not a pdf")
    result = shelf("add", str(good), str(tmp_path / "bad.pdf"), str(tmp_path / "missing.md"))
    assert result.exit_code == 1
    assert "2 input(s) failed" in result.stderr
    assert "bad.pdf" in result.stderr and "missing.md" in result.stderr
    assert "added" in result.stdout


def test_the_real_command_prints_one_line_and_no_traceback(tmp_path, papershelf_home):
    completed = subprocess.run(
        [sys.executable, "-m", "papershelf", "add", str(tmp_path / "missing.pdf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().startswith("error:")
    assert completed.stderr.strip().count("\n") == 0
    assert "Traceback" not in completed.stderr


def test_usage_errors_exit_with_status_2(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "papershelf", "search"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2


def test_a_path_that_is_a_fifo_or_device_is_refused(stocked):
    assert_refused(stocked, stocked.database_digest(), "/dev/null", expect="not a regular file")


def test_an_invalid_setting_names_the_variable_to_fix(shelf, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_HTTP_TIMEOUT_S", "soon")
    result = shelf("list")
    assert result.exit_code == 1
    assert "PAPERSHELF_HTTP_TIMEOUT_S" in result.stderr
    assert "Traceback" not in result.output


def test_export_into_a_missing_folder_is_refused_in_one_line(stocked, tmp_path):
    result = stocked("export", "-o", str(tmp_path / "nowhere" / "out.json"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_a_dangling_link_in_a_glob_does_not_stop_the_other_files(shelf, tmp_path):
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "a.md").write_text("# Alpha note\n\nPixel shuffle.\n")
    (folder / "c.md").symlink_to(tmp_path / "missing-target.md")
    result = shelf("add", str(folder / "*.md"))
    assert result.exit_code == 0, result.output
    assert "Alpha note" in result.stdout


def test_importing_a_file_that_is_not_an_export_names_the_file(shelf, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Not JSON\n")
    result = shelf("import", str(notes))
    assert result.exit_code == 1
    assert "notes.md" in result.stderr


def test_a_home_flag_reads_that_homes_config(shelf, tmp_path):
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "config.toml").write_text('collection_name = "from-toml"\n')
    note = tmp_path / "n.md"
    note.write_text("# Config note\n\nSome text.\n")
    assert shelf("--home", str(other), "add", str(note)).exit_code == 0
    listed = shelf("--home", str(other), "list", "--json").stdout
    assert '"from-toml"' in listed
