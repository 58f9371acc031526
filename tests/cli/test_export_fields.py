"""An imported record's fields that papershelf has no place for, and its dates in the form the
file wrote them, come back unchanged in an export."""

import json

import pytest

OTHER_FIELDS = {
    "url": "https://example.org/essay",
    "views": {"$numberInt": "3"},
    "reviewed": True,
    "tags": [{"name": "rag"}, None],
    "nested": {"by": "王小明", "at": {"$date": "2026-01-15T09:00:00Z"}},
}


def essay(oid: str, arxiv_id: str = "", **fields) -> dict:
    return {
        "_id": {"$oid": oid},
        "arxiv_id": arxiv_id,
        "title": "A Note on Retrieval",
        "authors": ["Ada Lovelace"],
        "categories": ["Machine Learning"],
        "keywords": ["retrieval"],
        "content": f"A Note on Retrieval {oid}\n\nRetrieval augmented generation reads less.",
        "publish_date": "2024-02-01",
        "insert_date": "2026-01-15 09:00:00",
        **fields,
    }


def round_trip(shelf, tmp_path, essays: list[dict]) -> dict[str, dict]:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(essays, ensure_ascii=False), encoding="utf-8")
    assert shelf("import", str(source)).exit_code == 0
    out = tmp_path / "out.json"
    assert shelf("export", "-o", str(out)).exit_code == 0
    return {e["_id"]["$oid"]: e for e in json.loads(out.read_text(encoding="utf-8"))}


def test_fields_papershelf_does_not_know_survive_import_and_export(shelf, tmp_path):
    original = essay("6967084a4f4688a8155b16f9", **OTHER_FIELDS)

    (exported,) = round_trip(shelf, tmp_path, [original]).values()

    assert exported == original


@pytest.mark.parametrize(
    ("publish_date", "insert_date"),
    [
        ({"$date": "2024-02-01T00:00:00Z"}, {"$date": "2026-01-15T09:00:00.250Z"}),
        ({"$date": {"$numberLong": "1706745600000"}}, {"$date": 1768467600000}),
        ("2024-02-01T00:00:00", "2026-01-15T09:00:00+08:00"),
        ("2024/02/01", "yesterday"),
    ],
)
def test_dates_come_back_in_the_form_the_file_wrote_them(
    shelf, tmp_path, publish_date, insert_date
):
    original = essay("6967084a4f4688a8155b16f9", publish_date=publish_date, insert_date=insert_date)
    arxiv = essay(
        "6967084a4f4688a8155b16fa",
        "2504.05299v1",
        publish_date=publish_date,
        insert_date=insert_date,
    )

    exported = round_trip(shelf, tmp_path, [original, arxiv])

    assert exported == {e["_id"]["$oid"]: e for e in (original, arxiv)}


@pytest.mark.parametrize("field", ["content", "note", "title"])
def test_a_broken_unicode_escape_is_refused_by_name_and_nothing_is_imported(shelf, tmp_path, field):
    good = essay("6967084a4f4688a8155b16f9")
    broken = json.dumps(essay("6967084a4f4688a8155b16fa", note="fine"), ensure_ascii=False)
    broken = broken.replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
    source = tmp_path / "in.json"
    source.write_text(f"[{json.dumps(good)}, {broken}]", encoding="utf-8")

    result = shelf("import", str(source))

    assert result.exit_code == 1
    assert f"'{field}' has a broken \\u escape" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(shelf("list", "--json").stdout)["total"] == 0
