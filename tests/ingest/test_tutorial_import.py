"""Tutorial essays to papershelf Documents and back: which paper an essay becomes, and what of
the record an export gives back."""

import json
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.ingest.tutorial_import import documents_from_tutorial_export, tutorial_export_bytes
from papershelf.ingest.tutorial_json import KNOWN_FIELDS


def one_document(**fields):
    record = {"_id": {"$oid": "6967084a4f4688a8155b16f9"}, "content": "Some text.", **fields}
    data = json.dumps([record]).encode()
    ((_, document),) = documents_from_tutorial_export(data, "export.json", "ai_essay")
    return document


def exported(document) -> dict:
    (record,) = json.loads(tutorial_export_bytes([document]))
    return record


def test_a_real_object_id_keys_its_own_paper_and_its_passages():
    first = one_document()
    second = one_document(_id={"$oid": "6967084a4f4688a8155b16fa"})

    assert first.paper.id != second.paper.id
    assert first.paper.id.startswith("doc:") and len(first.paper.id) == len("doc:") + 12
    assert {p.paper_id for p in first.passages} == {first.paper.id}


def test_an_object_id_an_export_derived_names_the_paper_it_came_from():
    original = one_document(_id="not an object id")
    original.paper.legacy_id = None
    oid = exported(original)["_id"]["$oid"]

    again = one_document(_id={"$oid": oid})
    tampered = one_document(_id={"$oid": oid[:20] + format(int(oid[20:], 16) ^ 1, "04x")})

    assert again.paper.id == original.paper.id
    assert tampered.paper.id != original.paper.id


def test_a_paper_added_before_1970_still_gets_a_24_hex_object_id():
    document = one_document()
    document.paper.legacy_id = None
    document.paper.added = datetime(1960, 1, 1, tzinfo=UTC)

    assert len(exported(document)["_id"]["$oid"]) == 24


def test_a_date_changed_since_the_import_is_exported_as_it_is_now():
    document = one_document(publish_date={"$date": "2024-02-01T00:00:00Z"})
    assert exported(document)["publish_date"] == {"$date": "2024-02-01T00:00:00Z"}

    document.paper.published = date(2025, 4, 8)

    assert exported(document)["publish_date"] == "2025-04-08"


def test_the_tutorials_plain_dates_leave_nothing_extra_to_keep():
    document = one_document(publish_date="2025-04-08", insert_date="2026-01-14 10:40:51")

    assert document.paper.legacy_fields == {}


_text = st.text(max_size=12)
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_date = st.one_of(
    _text.filter(bool),
    st.none(),
    st.sampled_from(["2025-04-08", "2026-01-14 10:40:51", "2024-02-01T08:00:00+08:00"]),
    st.integers(-(10**13), 10**15).map(lambda ms: {"$date": {"$numberLong": str(ms)}}),
    st.integers(0, 4 * 10**12).map(lambda ms: {"$date": ms}),
    st.sampled_from(["2025-04-08", "2024-04-08T00:00:00.123Z"]).map(lambda s: {"$date": s}),
)
_other_fields = st.dictionaries(
    _text.filter(lambda key: key not in KNOWN_FIELDS), _json_value, max_size=3
)


@settings(max_examples=100, deadline=None)
@given(publish_date=_date, insert_date=_date, other=_other_fields)
def test_other_fields_and_date_forms_survive_import_and_export(publish_date, insert_date, other):
    record = {
        "_id": {"$oid": "6967084a4f4688a8155b16f9"},
        "arxiv_id": "",
        "title": "T",
        "authors": [],
        "categories": ["Machine Learning"],
        "keywords": ["k"],
        "content": "Some text.",
        "publish_date": publish_date,
        "insert_date": insert_date,
        **other,
    }
    ((_, document),) = documents_from_tutorial_export(json.dumps([record]).encode(), "e", "c")

    assert exported(document) == record
