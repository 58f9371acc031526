"""The PDF parser over the shared corpus: real papers, a scan with an OCR layer, Chinese files."""

import csv
import re
from functools import cache
from pathlib import Path

import pytest

from papershelf.core.errors import UnsupportedDocument
from papershelf.ingest.base import ParsedDocument
from papershelf.ingest.pdf import PdfParser
from papershelf.ingest.pdf_front import appears_in

pytestmark = pytest.mark.corpus

CJK = re.compile("[\u4e00-\u9fff]")


@cache
def parse_or_refuse(path: Path) -> ParsedDocument | UnsupportedDocument:
    try:
        return PdfParser().parse(path.read_bytes(), path.name)
    except UnsupportedDocument as error:
        return error


def manifest(corpus: Path) -> dict[str, dict[str, str]]:
    with open(corpus / "pdf" / "MANIFEST.tsv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def test_every_corpus_pdf_parses_with_title_and_sections_or_is_refused_with_a_reason(corpus):
    problems = []
    for path in sorted((corpus / "pdf").glob("*.pdf")):
        result = parse_or_refuse(path)
        if isinstance(result, UnsupportedDocument):
            if not str(result).startswith(path.name) or "; " not in str(result):
                problems.append(f"{path.name}: unclear refusal {result}")
        elif not result.title or len(result.headings) < 5 or len(result.text) < 5000:
            problems.append(f"{path.name}: title={result.title!r} headings={len(result.headings)}")
    assert problems == []


def test_titles_match_the_manifest(corpus):
    mismatched = []
    for name, row in manifest(corpus).items():
        result = parse_or_refuse(corpus / "pdf" / name)
        if isinstance(result, ParsedDocument) and not appears_in(result.title, row["title"]):
            mismatched.append((name, result.title, row["title"]))
    assert mismatched == []


def test_arxiv_ids_are_read_from_the_stamp(corpus):
    for name, row in manifest(corpus).items():
        expected = row["arxiv_id"] if re.fullmatch(r"\d{4}\.\d{4,5}", row["arxiv_id"]) else None
        result = parse_or_refuse(corpus / "pdf" / name)
        if isinstance(result, ParsedDocument):
            assert result.arxiv_id == expected, name
            assert (result.arxiv_version is not None) == (expected is not None), name


def test_every_page_of_a_parsed_paper_has_its_span(corpus):
    for name, row in manifest(corpus).items():
        result = parse_or_refuse(corpus / "pdf" / name)
        if isinstance(result, ParsedDocument):
            assert len(result.pages) == int(row["pages"]), name
            assert all(
                span.char_start <= span.char_end <= len(result.text) for span in result.pages
            ), name


def test_the_scanned_lecun_paper_is_read_from_its_ocr_text_layer(corpus):
    result = parse_or_refuse(corpus / "pdf" / "scanned_lecun1990-handwritten-digit-backprop.pdf")
    assert isinstance(result, ParsedDocument), result
    assert result.title == "Handwritten Digit Recognition with a Back-Propagation Network"
    assert "back-propagation" in result.abstract


def test_the_printed_chinese_blog_has_no_text_layer_and_is_refused_with_an_ocr_hint(corpus):
    result = parse_or_refuse(corpus / "pdf" / "zh_mutual-information-cnblogs-print.pdf")
    assert isinstance(result, UnsupportedDocument)
    assert (
        "has no text layer" in str(result)
        and "ocrmypdf" in str(result)
        and "chi_sim" in str(result)
    )


def test_the_annotated_resnet_paper_gives_readable_chinese_notes(corpus):
    result = parse_or_refuse(corpus / "pdf" / "annotated-zh_resnet-cvpr2016.pdf")
    assert isinstance(result, ParsedDocument)
    assert len(CJK.findall(result.text)) > 1000
    assert "[Note] 优点：RestNet更容易优化，准确度随深度提升" in result.text
    assert not re.search("[\u4e00-\u9fff] [\u4e00-\u9fff]", result.text)


def test_text_is_clean_of_ligatures_and_line_end_hyphens(corpus):
    result = parse_or_refuse(corpus / "pdf" / "1911.05722.pdf")
    assert isinstance(result, ParsedDocument)
    assert not re.search("[\ufb00-\ufb06\ufffe\u00ad]", result.text)
    assert "unsupervised visual representation learning" in result.abstract
    assert "state-of-theart" not in result.text and "pre-training" in result.text


def test_running_headers_are_removed(corpus):
    result = parse_or_refuse(corpus / "pdf" / "1803.07113.pdf")
    assert isinstance(result, ParsedDocument)
    assert "IEEE TRANSACTIONS ON CIRCUITS AND SYSTEMS" not in result.text


def test_authors_of_a_many_author_paper_are_names_only(corpus):
    result = parse_or_refuse(corpus / "pdf" / "1906.01787.pdf")
    assert isinstance(result, ParsedDocument)
    assert result.authors == [
        "Qiang Wang", "Bei Li", "Tong Xiao", "Jingbo Zhu", "Changliang Li", "Derek F. Wong", "Lidia S. Chao",
    ]  # fmt: skip
