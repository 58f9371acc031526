"""Which paper an imported record becomes: its own ObjectId keys it, and an export of papers
added from files comes back as those same papers."""

import json
from pathlib import Path

from papershelf.core.settings import Settings
from papershelf.ingest.tutorial_import import documents_from_tutorial_export
from papershelf.library import Library
from tests.support.documents import write_pdf

TEXT = "A Note on Retrieval\n\nRetrieval augmented generation reads fewer tokens than whole papers."


def essay(oid: str, **fields: str) -> dict:
    return {
        "_id": {"$oid": oid},
        "arxiv_id": "",
        "title": "A Note on Retrieval",
        "authors": ["Ada Lovelace"],
        "categories": ["Machine Learning"],
        "keywords": ["retrieval"],
        "content": TEXT,
        "publish_date": "2024-02-01",
        "insert_date": "2026-01-15 09:00:00",
        **fields,
    }


TWINS = [essay("6967084a4f4688a8155b16f9"), essay("6967084a4f4688a8155b16fa")]


def write_export(path, essays) -> str:
    path.write_text(json.dumps(essays, ensure_ascii=False), encoding="utf-8")
    return str(path)


def paper_ids(shelf) -> list[str]:
    listed = json.loads(shelf("list", "--json", "--limit", "1000").stdout)
    return sorted(p["paper_id"] for p in listed["papers"])


def test_essays_with_the_same_text_but_their_own_ids_stay_two_papers(shelf, tmp_path):
    export = write_export(tmp_path / "twins.json", TWINS)

    result = shelf("import", export, "--json")

    assert [r["outcome"] for r in json.loads(result.stdout)["results"]] == ["added", "added"]
    first, second = (
        json.loads(shelf("show", e["_id"]["$oid"], "--json").stdout)["paper_id"] for e in TWINS
    )
    assert first != second and paper_ids(shelf) == sorted([first, second])


def test_twin_essays_export_as_they_were_and_import_again_unchanged(shelf, tmp_path):
    export = write_export(tmp_path / "twins.json", TWINS)
    shelf("import", export)
    before = shelf.database_digest()

    out = tmp_path / "out.json"
    assert shelf("export", "-o", str(out)).exit_code == 0
    again = shelf("import", str(out), "--json")

    assert sorted(json.loads(out.read_text(encoding="utf-8")), key=str) == sorted(TWINS, key=str)
    assert [r["outcome"] for r in json.loads(again.stdout)["results"]] == ["unchanged"] * 2
    assert shelf.database_digest() == before


def added_from_files(shelf, tmp_path) -> list[str]:
    note = tmp_path / "note.md"
    note.write_text("# Token Budgets\n\nSmall models read few tokens.\n", encoding="utf-8")
    pdf = write_pdf(tmp_path / "paper.pdf")
    assert shelf("add", str(note), str(pdf)).exit_code == 0
    return paper_ids(shelf)


def test_exporting_then_importing_into_the_same_library_changes_nothing(shelf, tmp_path):
    ids = added_from_files(shelf, tmp_path)
    before = shelf.database_digest()
    out = tmp_path / "out.json"
    assert shelf("export", "-o", str(out)).exit_code == 0

    result = shelf("import", str(out), "--json")

    assert result.exit_code == 0, result.output
    assert [r["outcome"] for r in json.loads(result.stdout)["results"]] == ["unchanged"] * 2
    assert paper_ids(shelf) == ids
    assert shelf.database_digest() == before


def test_an_export_imported_into_a_fresh_library_keeps_the_ids_once(shelf, tmp_path, monkeypatch):
    ids = added_from_files(shelf, tmp_path)
    out = tmp_path / "out.json"
    shelf("export", "-o", str(out))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    monkeypatch.setenv("PAPERSHELF_HOME", str(fresh))

    first = shelf("import", str(out), "--json")
    second = shelf("import", str(out), "--json")

    assert [r["outcome"] for r in json.loads(first.stdout)["results"]] == ["added"] * 2
    assert [r["outcome"] for r in json.loads(second.stdout)["results"]] == ["unchanged"] * 2
    assert paper_ids(shelf) == ids
    again = tmp_path / "again.json"
    shelf("export", "-o", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_an_essay_already_stored_under_another_id_is_recognised_by_its_object_id(shelf, tmp_path):
    export = write_export(tmp_path / "one.json", TWINS[:1])
    with Library(Settings()) as library:  # as an earlier papershelf keyed it: by its text
        ((_, document),) = documents_from_tutorial_export(
            Path(export).read_bytes(), export, "ai_essay"
        )
        document.paper.id = "doc:" + document.paper.content_sha256[:12]
        for passage in document.passages:
            passage.paper_id = document.paper.id
        library.store.put(document)

    result = shelf("import", export, "--json")

    assert [r["paper_id"] for r in json.loads(result.stdout)["results"]] == [document.paper.id]
    assert [r["outcome"] for r in json.loads(result.stdout)["results"]] == ["unchanged"]
    assert paper_ids(shelf) == [document.paper.id]
