import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.errors import InputError
from papershelf.ingest.tutorial_json import (
    KNOWN_FIELDS,
    TutorialEssay,
    read_tutorial_export,
    write_tutorial_export,
)

OID = "69670233c375f34f0c97ff09"


def _export(*documents: dict) -> bytes:
    return json.dumps(list(documents), indent=2, ensure_ascii=False).encode("utf-8")


def _json_lines(*documents: dict) -> bytes:
    return "".join(json.dumps(d) + "\n" for d in documents).encode("utf-8")


@pytest.fixture
def tutorial_export(corpus) -> bytes:
    return (corpus / "docs" / "essay_database.ai_essay.json").read_bytes()


@pytest.mark.corpus
def test_the_tutorials_export_is_read_with_ids_and_dates(tutorial_export):
    smolvlm, stereo = read_tutorial_export(tutorial_export)

    assert (smolvlm.legacy_id, smolvlm.arxiv_id) == (OID, "2504.05299v1")
    assert smolvlm.title == "SmolVLM: Redefining small and efficient multimodal models"
    assert len(smolvlm.authors) == 17 and smolvlm.authors[0] == "Andrés Marafioti"
    assert smolvlm.content.startswith("SmolVLM: Redefining")
    assert (smolvlm.publish_date, smolvlm.published) == ("2025-04-08", date(2025, 4, 8))
    assert smolvlm.inserted == datetime(2026, 1, 14, 10, 40, 51)
    assert stereo.arxiv_id == "2501.09898v4"


@pytest.mark.corpus
def test_writing_the_tutorials_export_back_gives_the_same_bytes(tutorial_export):
    assert write_tutorial_export(read_tutorial_export(tutorial_export)) == tutorial_export


@pytest.mark.corpus
def test_the_tutorials_export_survives_a_round_trip(tutorial_export):
    essays = read_tutorial_export(tutorial_export)

    assert read_tutorial_export(write_tutorial_export(essays)) == essays


def test_mongoexport_json_lines_are_read():
    data = _json_lines(
        {"_id": {"$oid": OID}, "title": "One", "content": "first"},
        {"_id": {"$oid": "6967084a4f4688a8155b16f9"}, "title": "Two", "content": "second"},
    )

    assert [e.title for e in read_tutorial_export(data)] == ["One", "Two"]


def test_pretty_printed_documents_one_after_another_are_read():
    data = b"".join(json.dumps({"content": c}, indent=2).encode() + b"\n" for c in ("a", "b"))

    assert [e.content for e in read_tutorial_export(data)] == ["a", "b"]


@pytest.mark.parametrize(
    "stored",
    [
        {"$date": "2024-04-08T00:00:00Z"},
        {"$date": {"$numberLong": "1712534400000"}},
        {"$date": 1712534400000},
    ],
)
def test_bson_dates_are_read_in_every_extended_json_form(stored):
    (essay,) = read_tutorial_export(_json_lines({"content": "x", "insert_date": stored}))

    assert essay.insert_date == "2024-04-08T00:00:00Z"
    assert essay.inserted == datetime(2024, 4, 8, tzinfo=UTC)
    assert essay.bson_dates == ["insert_date"]


def test_bson_dates_are_written_back_in_the_form_they_were_read():
    stored = {"content": "x", "publish_date": {"$date": 0}, "insert_date": None}
    (essay,) = read_tutorial_export(_json_lines(stored))

    (document,) = json.loads(write_tutorial_export([essay]))

    assert (document["publish_date"], document["insert_date"]) == ({"$date": 0}, None)


def test_a_changed_bson_date_is_written_as_a_bson_date_of_the_new_text():
    (essay,) = read_tutorial_export(_json_lines({"content": "x", "publish_date": {"$date": 0}}))
    essay.publish_date = "2025-04-08T00:00:00Z"

    (document,) = json.loads(write_tutorial_export([essay]))

    assert document["publish_date"] == {"$date": "2025-04-08T00:00:00Z"}


def test_missing_optional_fields_take_empty_values():
    (essay,) = read_tutorial_export(_export({"content": "only text"}))

    assert essay == TutorialEssay(content="only text")
    assert (essay.legacy_id, essay.published, essay.inserted) == (None, None, None)


def test_odd_but_usable_values_are_taken_as_meant():
    document = {"content": "x", "arxiv_id": None, "authors": "Ada Lovelace", "keywords": None}

    (essay,) = read_tutorial_export(_export(document))

    assert (essay.arxiv_id, essay.authors, essay.keywords) == ("", ["Ada Lovelace"], [])


def test_other_fields_are_kept_and_written_after_the_tutorials_fields():
    document = {"_id": {"$oid": OID}, "content": "x", "views": {"$numberInt": "3"}, "note": "n"}

    (essay,) = read_tutorial_export(_export(document))
    (written,) = json.loads(write_tutorial_export([essay]))

    assert essay.extra == {"views": {"$numberInt": "3"}, "note": "n"}
    assert list(written) == [*KNOWN_FIELDS, "views", "note"]


def test_chinese_text_is_written_as_utf8_not_escapes():
    essay = TutorialEssay(content="多模态模型", keywords=["像素重排"])

    data = write_tutorial_export([essay])

    assert "多模态模型".encode() in data and b"\\u" not in data


def test_an_empty_array_has_no_essays():
    assert read_tutorial_export(b" [ ]\n") == []


def test_broken_json_names_the_line_and_column():
    data = b'[\n  {"content": "a"},\n  {"content": "b" "title": "t"}\n]'

    with pytest.raises(InputError, match=r"essays\.json is not valid JSON at line 3, column 19"):
        read_tutorial_export(data, source="essays.json")


def test_an_array_that_never_ends_is_reported():
    with pytest.raises(InputError, match="the array never ends"):
        read_tutorial_export(b'[{"content": "a"},\n')


def test_an_entry_without_content_names_its_position():
    data = _export({"content": "a"}, {"_id": {"$oid": OID}, "title": "no text"})

    with pytest.raises(InputError, match=r"entry 2 \(line 5\) has no content"):
        read_tutorial_export(data)


def test_an_entry_that_is_not_an_object_is_reported():
    with pytest.raises(InputError, match=r"entry 1 \(line 1\) is not a JSON object"):
        read_tutorial_export(b'["just text"]')


def test_a_file_that_is_not_json_at_all_is_reported():
    with pytest.raises(InputError, match="not a MongoDB export"):
        read_tutorial_export(b"title,content\nx,y\n")


def test_an_empty_file_is_reported():
    with pytest.raises(InputError, match="is empty"):
        read_tutorial_export(b"\n")


def test_bytes_that_are_not_utf8_are_reported():
    with pytest.raises(InputError, match="not UTF-8"):
        read_tutorial_export(b'[{"content": "\xff"}]')


_text = st.text(max_size=20)
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_object_id = st.text("0123456789abcdef", min_size=24, max_size=24).map(lambda h: {"$oid": h})
_date = st.one_of(
    _text,
    st.none(),
    st.integers(-(10**13), 10**15).map(lambda ms: {"$date": {"$numberLong": str(ms)}}),
    st.integers(0, 4 * 10**12).map(lambda ms: {"$date": ms}),
    st.sampled_from(["2025-04-08", "2024-04-08T00:00:00.123Z"]).map(lambda s: {"$date": s}),
)
_names = st.one_of(st.lists(_text | st.fixed_dictionaries({"name": _text}), max_size=4), _text)
_essay_document = st.fixed_dictionaries(
    {"content": st.text(min_size=1).filter(str.strip)},
    optional={
        "_id": st.one_of(_object_id, _text, st.integers()),
        "arxiv_id": st.one_of(_text, st.none()),
        "title": st.one_of(_text, st.none()),
        "authors": _names,
        "categories": _names,
        "keywords": _names,
        "publish_date": _date,
        "insert_date": _date,
        "views": _json_value,
        "legacy": _json_value,
    },
)


@settings(max_examples=150, deadline=None)
@given(documents=st.lists(_essay_document, min_size=1, max_size=4), json_lines=st.booleans())
def test_any_export_survives_a_round_trip(documents, json_lines):
    data = _json_lines(*documents) if json_lines else json.dumps(documents).encode()

    essays = read_tutorial_export(data)

    assert read_tutorial_export(write_tutorial_export(essays)) == essays


def test_a_lone_surrogate_escape_survives_a_round_trip():
    essays = read_tutorial_export(b'[{"content": "broken \\ud800 pair"}]')

    assert read_tutorial_export(write_tutorial_export(essays)) == essays
