"""The tutorial's MongoDB export: import keeps every field, export writes the same format back."""

import json

import pytest

EXPORT = [
    {
        "_id": {"$oid": "69670233c375f34f0c97ff09"},
        "arxiv_id": "2504.05299v1",
        "title": "SmolVLM: Redefining small and efficient multimodal models",
        "authors": ["Andrés Marafioti", "Orr Zohar"],
        "categories": ["Computer Vision", "Machine Learning"],
        "keywords": ["SmolVLM", "像素洗牌", "pixel shuffle"],
        "content": "SmolVLM: Redefining small and efficient\nmultimodal models\nAbstract\nSmall models need few "
        "visual tokens.\n1 Introduction\nPixel shuffle reduces the\nnumber of visual tokens sixteen-fold.",
        "publish_date": "2025-04-08",
        "insert_date": "2026-01-14 10:40:51",
    },
    {
        "_id": {"$oid": "6967084a4f4688a8155b16f9"},
        "arxiv_id": "",
        "title": "一篇没有 arXiv 编号的文章",
        "authors": ["王小明"],
        "categories": ["机器学习"],
        "keywords": ["检索"],
        "content": "一篇没有 arXiv 编号的文章\n摘要\n检索增强生成可以减少模型读取的标记数量。",
        "publish_date": "2024-02-01",
        "insert_date": "2026-01-15 09:00:00",
    },
]


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "essay_database.ai_essay.json"
    path.write_text(json.dumps(EXPORT, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_keeps_the_tutorials_fields(shelf, export_file):
    result = shelf("import", str(export_file))
    assert result.exit_code == 0, result.output
    shown = json.loads(shelf("show", "69670233c375f34f0c97ff09", "--json").stdout)
    assert shown["paper_id"] == "arxiv:2504.05299"
    assert shown["version"] == 1
    assert shown["legacy_id"] == "69670233c375f34f0c97ff09"
    assert shown["categories"] == ["Computer Vision", "Machine Learning"]
    assert shown["keywords"] == ["SmolVLM", "像素洗牌", "pixel shuffle"]
    assert shown["published"] == "2025-04-08"
    assert shown["collections"] == ["ai_essay"]


def test_export_round_trips_the_import(shelf, export_file, tmp_path):
    shelf("import", str(export_file))
    out = tmp_path / "out.json"
    assert shelf("export", "-o", str(out)).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    by_id = {e["_id"]["$oid"]: e for e in exported}
    for original in EXPORT:
        assert by_id[original["_id"]["$oid"]] == original


def test_importing_twice_changes_nothing(shelf, export_file):
    shelf("import", str(export_file))
    before = shelf.database_digest()
    again = shelf("import", str(export_file), "--json")
    assert [r["outcome"] for r in json.loads(again.stdout)["results"]] == ["unchanged", "unchanged"]
    assert shelf.database_digest() == before


def test_a_broken_export_is_refused_and_nothing_is_imported(shelf, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(
        '[{"_id": {"$oid": "69670233c375f34f0c97ff09"}, "title": "x", ', encoding="utf-8"
    )
    result = shelf("import", str(broken))
    assert result.exit_code == 1
    assert "broken.json" in result.stderr or "JSON" in result.stderr
    assert shelf("list", "--json").stdout.count('"paper_id"') == 0


def test_imported_passages_are_searchable_in_both_languages(shelf, export_file):
    shelf("import", str(export_file))
    assert "arxiv:2504.05299" in shelf("search", "pixel shuffle").stdout
    assert "检索增强生成" in shelf("search", "检索增强").stdout


@pytest.mark.corpus
def test_the_tutorials_own_export_round_trips(shelf, corpus, tmp_path):
    source = corpus / "docs" / "essay_database.ai_essay.json"
    assert shelf("import", str(source)).exit_code == 0
    out = tmp_path / "out.json"
    shelf("export", "-o", str(out))
    original = {e["_id"]["$oid"]: e for e in json.loads(source.read_text(encoding="utf-8"))}
    exported = {e["_id"]["$oid"]: e for e in json.loads(out.read_text(encoding="utf-8"))}
    assert exported == original
