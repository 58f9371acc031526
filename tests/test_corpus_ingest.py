"""Every document of ../shared/corpus ingests with its structure, or is refused with a clear reason."""

import csv

import pytest

from papershelf.core.settings import Settings
from papershelf.library import Library

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    library = Library(Settings(home=tmp_path_factory.mktemp("corpus-home")))
    report = library.add([str(CORPUS / "docs"), str(CORPUS / "pdf")])
    yield CORPUS, library, report
    library.close()


def test_every_corpus_file_is_either_stored_or_refused_with_a_reason(ingested):
    corpus, _library, report = ingested
    files = sorted(p for p in (corpus / "docs").iterdir() if p.suffix in {".md", ".txt"})
    files += sorted((corpus / "pdf").glob("*.pdf"))
    outcomes = {r.source: r for r in report.results}
    refusals = dict(report.failures)
    for path in files:
        label = str(path)
        assert label in outcomes or label in refusals, f"{path.name} neither stored nor refused"
        if label in refusals:
            assert len(refusals[label]) > 30, f"{path.name}: reason too thin: {refusals[label]}"


def test_stored_corpus_papers_have_titles_sections_and_passages(ingested):
    _corpus, library, report = ingested
    for result in report.results:
        document = library.get_document(result.paper.id)
        assert document.paper.title, result.source
        assert document.passages, result.source
        assert all(p.tokens <= 600 for p in document.passages), result.source


def test_arxiv_pdfs_are_linked_to_their_manifest_ids(ingested):
    corpus, library, _report = ingested
    with open(corpus / "pdf" / "MANIFEST.tsv", encoding="utf-8") as fh:
        rows = [
            r for r in csv.DictReader(fh, delimiter="\t") if r["file"] == f"{r['arxiv_id']}.pdf"
        ]
    assert rows
    for row in rows:
        paper = library.get(f"arxiv:{row['arxiv_id']}")
        assert paper.pages == int(row["pages"]), row["file"]


def test_pdf_passages_carry_page_numbers_within_the_paper(ingested):
    _corpus, library, _report = ingested
    document = library.get_document("arxiv:2204.02311")
    assert document.paper.pages == 83
    pages = [p.page_start for p in document.passages]
    assert None not in pages
    assert pages == sorted(pages)
    assert max(pages) > 60


def test_a_chinese_question_finds_the_chinese_smolvlm_documents(ingested):
    _corpus, library, _report = ingested
    hits = library.search("SmolVLM有哪些技术优势", limit=5)
    assert hits
    assert any("SmolVLM" in hit.citation.title for hit in hits)
