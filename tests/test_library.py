"""The facade's promises: idempotent adds, atomic failures, collections, id resolution."""

import pytest

from papershelf.core.errors import NotFound
from papershelf.core.settings import Settings
from papershelf.library import Library
from tests.support.documents import write_pdf


@pytest.fixture
def library(papershelf_home):
    with Library(Settings()) as library:
        yield library


def write_note(path, title="Token Budgets", body="Pixel shuffle saves visual tokens."):
    path.write_text(
        f"---\ntitle: {title}\nauthors: [Ada Lovelace]\n---\n\n# {title}\n\n## 1 Idea\n\n{body}\n"
    )
    return path


def test_re_adding_the_same_file_is_a_no_op(library, tmp_path):
    note = write_note(tmp_path / "note.md")
    first = library.add([str(note)])
    second = library.add([str(note)])
    assert [r.outcome for r in first.results] == ["added"]
    assert [r.outcome for r in second.results] == ["unchanged"]
    assert library.count() == 1


def test_the_same_file_named_twice_in_one_call_is_ingested_once(library, tmp_path):
    note = write_note(tmp_path / "note.md")
    report = library.add([str(note), str(tmp_path / "note.md"), str(tmp_path / "*.md")])
    assert len(report.results) == 1


def test_a_folder_is_ingested_recursively_and_hidden_folders_are_skipped(library, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / ".git").mkdir()
    write_note(tmp_path / "a" / "b" / "deep.md")
    write_note(tmp_path / "a" / ".git" / "ignored.md", title="Hidden")
    report = library.add([str(tmp_path / "a")])
    assert [r.paper.title for r in report.results] == ["Token Budgets"]


def test_a_failed_ingest_leaves_nothing_behind(library, tmp_path):
    good = write_note(tmp_path / "good.md")
    (stored,) = library.add([str(good)]).results
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    report = library.add([str(broken)])
    assert report.failures and not report.results
    assert library.count() == 1
    assert {hit.citation.paper_id for hit in library.search("pixel shuffle")} == {stored.paper.id}


def test_a_pdf_carrying_an_arxiv_stamp_gets_the_arxiv_id(library, tmp_path):
    pdf = write_pdf(
        tmp_path / "local.pdf",
        pages=[
            [
                ("Tiny Models See Far", 20),
                ("arXiv:2501.09898v4 [cs.CV] 4 Apr 2025", 9),
                ("Abstract", 12),
                ("Pixel shuffle compresses visual tokens for small models.", 10),
            ]
        ],
    )
    report = library.add([str(pdf)])
    paper = report.results[0].paper
    assert paper.id == "arxiv:2501.09898"
    assert paper.version == 4


def test_adding_to_another_collection_keeps_one_copy_in_both(library, tmp_path):
    note = write_note(tmp_path / "note.md")
    library.add([str(note)], collection="reading")
    library.add([str(note)], collection="vision")
    (paper,) = library.list()
    assert paper.collections == ["reading", "vision"]
    assert library.collections() == {"reading": 1, "vision": 1}


def test_ids_resolve_from_arxiv_forms_and_unknown_ids_say_what_to_do(library, tmp_path):
    pdf = write_pdf(
        tmp_path / "local.pdf",
        pages=[
            [
                ("Stamped", 20),
                ("arXiv:2501.09898v4 [cs.CV] 4 Apr 2025", 9),
                ("Some body text about stereo matching.", 10),
            ]
        ],
    )
    library.add([str(pdf)])
    assert library.resolve_id("2501.09898") == "arxiv:2501.09898"
    assert library.resolve_id("https://arxiv.org/abs/2501.09898v2") == "arxiv:2501.09898"
    with pytest.raises(NotFound, match="papershelf list"):
        library.resolve_id("arxiv:1111.11111")


def test_removing_a_paper_removes_its_passages_from_search(library, tmp_path):
    note = write_note(tmp_path / "note.md")
    (result,) = library.add([str(note)]).results
    assert library.search("pixel shuffle")
    library.remove(result.paper.id)
    assert library.search("pixel shuffle") == []
    assert library.count() == 0


def test_two_notes_naming_the_same_arxiv_id_are_two_papers(library, tmp_path):
    first = tmp_path / "n1.md"
    first.write_text("---\narxiv: 2504.05299\n---\n\n# Notes\n\nnotes on pixel shuffle\n")
    second = tmp_path / "n2.md"
    second.write_text("---\narxiv: 2504.05299\n---\n\n# Slides\n\nslides on token budgets\n")
    report = library.add([str(first), str(second)])
    assert [r.outcome for r in report.results] == ["added", "added"]
    again = library.add([str(first)])
    assert [r.outcome for r in again.results] == ["unchanged"]
    assert library.count() == 2


def test_a_second_copy_of_the_same_arxiv_version_keeps_the_first(library, tmp_path):
    stamp = ("arXiv:2501.09898v4 [cs.CV] 4 Apr 2025", 9)
    one = write_pdf(
        tmp_path / "one.pdf", pages=[[("Stereo Paper", 20), stamp, ("Body one text.", 10)]]
    )
    two = write_pdf(
        tmp_path / "two.pdf", pages=[[("Stereo Paper", 20), stamp, ("Body two text.", 10)]]
    )
    library.add([str(one)])
    report = library.add([str(two)])
    assert [r.outcome for r in report.results] == ["unchanged"]
    assert [r.outcome for r in library.add([str(one)]).results] == ["unchanged"]


def test_adding_local_files_opens_no_http_client(library, tmp_path, monkeypatch):
    made = []
    monkeypatch.setattr(
        "papershelf.ingest.http.HttpFetcher", lambda settings: made.append(settings)
    )
    library.add([str(write_note(tmp_path / "note.md"))])
    assert library.count() == 1 and made == []
