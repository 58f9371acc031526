import pytest

from papershelf.core.errors import InputError
from papershelf.ingest.arxiv_ids import (
    ArxivRef,
    is_arxiv_like,
    parse_arxiv_reference,
    require_arxiv_reference,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2504.05299", ArxivRef("2504.05299")),
        ("2504.05299v1", ArxivRef("2504.05299", 1)),
        ("2501.09898v12", ArxivRef("2501.09898", 12)),
        ("arXiv:2504.05299", ArxivRef("2504.05299")),
        ("arxiv:2504.05299v2", ArxivRef("2504.05299", 2)),
        ("ARXIV: 2504.05299", ArxivRef("2504.05299")),
        ("  2504.05299 \n", ArxivRef("2504.05299")),
        ("https://arxiv.org/abs/2504.05299", ArxivRef("2504.05299")),
        ("http://arxiv.org/abs/2504.05299v1", ArxivRef("2504.05299", 1)),
        ("https://arxiv.org/pdf/2504.05299", ArxivRef("2504.05299")),
        ("https://arxiv.org/pdf/2504.05299v1.pdf", ArxivRef("2504.05299", 1)),
        ("https://arxiv.org/pdf/2504.05299.pdf", ArxivRef("2504.05299")),
        ("https://export.arxiv.org/abs/2504.05299v3", ArxivRef("2504.05299", 3)),
        ("https://www.arxiv.org/abs/2501.09898v4", ArxivRef("2501.09898", 4)),
        ("arxiv.org/abs/2504.05299", ArxivRef("2504.05299")),
        ("https://arxiv.org/abs/2504.05299/", ArxivRef("2504.05299")),
        ("https://arxiv.org/abs/2504.05299?context=cs.CV", ArxivRef("2504.05299")),
        ("https://arxiv.org/abs/2504.05299v1#S2", ArxivRef("2504.05299", 1)),
        ("HTTPS://ARXIV.ORG/abs/2504.05299", ArxivRef("2504.05299")),
        ("https://arxiv.org/html/2504.05299v1", ArxivRef("2504.05299", 1)),
        ("0704.0001", ArxivRef("0704.0001")),
        ("1412.6980v9", ArxivRef("1412.6980", 9)),
        ("1501.00001", ArxivRef("1501.00001")),
        ("hep-th/9901001", ArxivRef("hep-th/9901001")),
        ("math.GT/0309136", ArxivRef("math.GT/0309136")),
        ("cond-mat/0102536v1", ArxivRef("cond-mat/0102536", 1)),
        ("arXiv:hep-th/9901001v2", ArxivRef("hep-th/9901001", 2)),
        ("https://arxiv.org/abs/hep-th/9901001", ArxivRef("hep-th/9901001")),
        ("https://arxiv.org/pdf/cond-mat/0102536v1.pdf", ArxivRef("cond-mat/0102536", 1)),
        ("https://arxiv.org/abs/math.GT/0309136/", ArxivRef("math.GT/0309136")),
    ],
)
def test_every_common_form_of_an_arxiv_reference_is_recognised(text, expected):
    assert parse_arxiv_reference(text) == expected
    assert is_arxiv_like(text)


@pytest.mark.parametrize(
    "text",
    [
        "2504.5299",  # four-digit sequence after 2014
        "1412.00001",  # five-digit sequence before 2015
        "2513.05299",  # month 13
        "2500.05299",  # month 00
        "0703.0001",  # before new-style ids began
        "2504.05299v0",
        "2504.05299v",
        "2504.052991",
        "hep-th/9913001",  # month 13
        "hep-th/0704001",  # old-style ids ended in March 2007
        "hep-th/99010",
        "arXiv:garbage",
        "arxiv.org/abs/garbage",
        "https://arxiv.org/abs/2504.5299",
        "https://arxiv.org/list/cs.CV/recent",
        "https://arxiv.org/",
    ],
)
def test_malformed_arxiv_references_are_recognised_as_meant_for_arxiv_but_rejected(text):
    assert parse_arxiv_reference(text) is None
    assert is_arxiv_like(text)


@pytest.mark.parametrize(
    "text",
    [
        "paper.pdf",
        "2504.05299.pdf",
        "notes/blog.md",
        "papers/2019/attention.pdf",
        "https://example.com/abs/2504.05299",
        "https://arxiv.org.evil.example/abs/2504.05299",
        "ftp://arxiv.org/abs/2504.05299",
        "foo/9901001",
        "",
        "SmolVLM",
    ],
)
def test_file_names_and_other_urls_are_not_taken_for_arxiv_references(text):
    assert parse_arxiv_reference(text) is None
    assert not is_arxiv_like(text)


def test_versioned_writes_the_id_the_way_arxiv_does():
    assert ArxivRef("2504.05299", 2).versioned == "2504.05299v2"
    assert ArxivRef("2504.05299").versioned == "2504.05299"
    assert str(ArxivRef("hep-th/9901001", 1)) == "hep-th/9901001v1"


def test_require_arxiv_reference_returns_the_reference():
    assert require_arxiv_reference("arXiv:2504.05299v1") == ArxivRef("2504.05299", 1)


def test_require_arxiv_reference_explains_the_accepted_forms():
    with pytest.raises(InputError) as error:
        require_arxiv_reference("2504.5299")
    assert str(error.value) == (
        "'2504.5299' is not a valid arXiv id "
        "(expected forms like 2504.05299, 2504.05299v2, hep-th/9901001)"
    )
