from datetime import date

import pytest

from papershelf.core.errors import UnsupportedDocument
from papershelf.ingest.pdf import PdfParser
from tests.ingest.test_pdf_builders import BODY, PdfBuilder, sample_paper


def parse(data: bytes, name: str = "paper.pdf"):
    return PdfParser().parse(data, name)


def test_each_page_gets_a_span_that_holds_its_text():
    doc = parse(sample_paper().to_bytes())
    assert [span.number for span in doc.pages] == [1, 2]
    first, second = (doc.text[span.char_start : span.char_end] for span in doc.pages)
    assert "1 Introduction" in first and "2.1 Reading Order" in second
    assert doc.pages[0].char_end < doc.pages[1].char_start


def test_a_paper_is_parsed_as_kind_pdf_in_english():
    doc = parse(sample_paper().to_bytes())
    assert doc.kind == "pdf"
    assert doc.language == "en"


def test_title_and_authors_come_from_the_first_page_layout():
    doc = parse(sample_paper().to_bytes())
    assert doc.title == "Learning to Read Papers Quickly"
    assert doc.authors == ["Alice Smith", "Bob Jones", "Carol White"]


def test_junk_title_metadata_is_ignored_in_favour_of_the_layout():
    pdf = sample_paper()
    doc = parse(
        pdf.to_bytes(
            metadata={"title": "Microsoft Word - draft_v3.docx", "author": "Administrator"}
        )
    )
    assert doc.title == "Learning to Read Papers Quickly"
    assert doc.authors == ["Alice Smith", "Bob Jones", "Carol White"]


def test_title_and_author_metadata_are_used_when_the_first_page_confirms_them():
    metadata = {
        "title": "Learning to read papers quickly",
        "author": "Alice Smith; Bob Jones; Carol White",
    }
    doc = parse(sample_paper().to_bytes(metadata=metadata))
    assert doc.title == "Learning to read papers quickly"
    assert doc.authors == ["Alice Smith", "Bob Jones", "Carol White"]


def test_numbered_sections_are_found_with_their_levels():
    doc = parse(sample_paper().to_bytes())
    found = [(h.number, h.title, h.level) for h in doc.headings]
    assert found == [
        (None, "Abstract", 1),
        ("1", "Introduction", 1),
        ("2", "Method", 1),
        ("2.1", "Reading Order", 2),
        ("3", "Conclusion", 1),
        (None, "References", 1),
    ]
    assert all(doc.text.startswith(h.number or h.title, h.char_start) for h in doc.headings)


def test_the_abstract_is_the_text_under_the_abstract_heading():
    doc = parse(sample_paper().to_bytes())
    assert doc.abstract.startswith("We show how to read papers quickly and well")
    assert doc.abstract.endswith("so that layout rules see real lines.")
    assert "Introduction" not in doc.abstract


def test_lines_inside_a_paragraph_are_joined_and_paragraphs_kept_apart():
    pdf = PdfBuilder().page().line("Notes", size=14, bold=True)
    pdf.paragraph(["First paragraph starts here and", "goes on to a second line."])
    pdf.paragraph(["Second paragraph starts here and", "ends here."])
    doc = parse(pdf.to_bytes())
    assert (
        "First paragraph starts here and goes on to a second line.\n\nSecond paragraph" in doc.text
    )


def test_a_word_hyphenated_at_a_line_end_is_rejoined():
    pdf = (
        PdfBuilder()
        .page()
        .paragraph(["We give an exam-", "ple of a broken word in running text here."])
    )
    assert "We give an example of a broken word" in parse(pdf.to_bytes()).text


def test_a_word_hyphenated_across_a_page_break_ends_up_whole_on_the_first_page():
    pdf = PdfBuilder().page().paragraph([*BODY, "The last line of this page breaks a long repre-"])
    pdf.page().paragraph(["sentation across the page break and goes on.", *BODY], indent=0)
    doc = parse(pdf.to_bytes())
    first, second = (doc.text[span.char_start : span.char_end] for span in doc.pages)
    assert first.endswith("breaks a long representation")
    assert second.startswith("across the page break")


def test_a_hyphenated_compound_keeps_its_hyphen_across_a_line_break():
    lines = [
        "Our state-of-the-",
        "art results use self-supervised training; self-",
        "supervised models win.",
    ]
    doc = parse(PdfBuilder().page().paragraph(lines).to_bytes())
    assert "state-of-the-art results" in doc.text
    assert "self-supervised models win" in doc.text


def test_a_soft_hyphen_at_a_line_end_joins_the_word():
    pdf = (
        PdfBuilder()
        .page()
        .paragraph(["A discretionary hyphen splits this exam\u00ad", "ple across two lines."])
    )
    assert "splits this example across two lines." in parse(pdf.to_bytes()).text


def test_ligature_glyphs_read_as_plain_letters():
    pdf = PdfBuilder().page().line("The ﬁrst ﬂow of oﬃce staﬀ is eﬄuent.", font="china-s")
    doc = parse(pdf.to_bytes())
    assert "The first flow of office staff is effluent." in doc.text
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in doc.text)


def test_running_headers_footers_and_page_numbers_are_removed():
    pdf = PdfBuilder()
    for number in range(1, 5):
        pdf.page().text_at(72, 40, "Journal of Careful Reading, Vol. 7")
        pdf.paragraph(BODY)
        pdf.text_at(300, 770, str(number))
    doc = parse(pdf.to_bytes())
    assert "Journal of Careful Reading" not in doc.text
    assert all(
        doc.text[span.char_start : span.char_end].startswith("Large models") for span in doc.pages
    )
    assert not any(line.strip().isdigit() for line in doc.text.splitlines())


def test_chinese_lines_are_joined_without_spaces():
    pdf = PdfBuilder().page().line("一、引言", size=14, font="china-s")
    pdf.paragraph(
        [
            "互信息是信息论中的一个重要概念，它度量了两个随机",
            "变量之间共享的信息量，在机器学习中应用广泛。",
        ],
        font="china-s",
    )
    doc = parse(pdf.to_bytes(), "zh.pdf")
    assert "互信息是信息论中的一个重要概念，它度量了两个随机变量之间共享的信息量" in doc.text
    assert doc.language == "zh"
    assert [(h.number, h.title) for h in doc.headings] == [("一", "引言")]


def test_annotation_comments_are_kept_as_notes_on_their_page():
    pdf = PdfBuilder().page().paragraph(BODY).comment("批注：这里的推导值得再看一遍")
    doc = parse(pdf.to_bytes())
    assert "[Note] 批注：这里的推导值得再看一遍" in doc.text


def test_a_page_with_little_text_among_good_pages_is_kept():
    pdf = PdfBuilder()
    for _ in range(3):
        pdf.page().paragraph(BODY)
    pdf.page().image().line("Figure 9.")
    doc = parse(pdf.to_bytes())
    assert len(doc.pages) == 4
    assert doc.warnings == [] or all("text layer" not in w for w in doc.warnings)


def test_the_arxiv_stamp_in_the_margin_fills_id_version_date_and_category():
    pdf = sample_paper()
    pdf.doc[0].insert_text(
        (30, 600), "arXiv:2501.09898v4 [cs.CV] 4 Apr 2025", fontsize=20, fontname="tiro", rotate=90
    )
    doc = parse(pdf.to_bytes())
    assert (doc.arxiv_id, doc.arxiv_version) == ("2501.09898", 4)
    assert doc.published == date(2025, 4, 4)
    assert doc.categories == ["cs.CV"]
    assert "arXiv:2501.09898" not in doc.text
    assert doc.title == "Learning to Read Papers Quickly"


def test_a_pdf_without_a_stamp_has_no_arxiv_id():
    doc = parse(sample_paper().to_bytes())
    assert doc.arxiv_id is None and doc.arxiv_version is None and doc.categories == []


def test_an_encrypted_pdf_is_refused_with_a_password_message():
    data = sample_paper().to_bytes(password="secret")
    with pytest.raises(UnsupportedDocument, match=r"paper\.pdf is encrypted with a password"):
        parse(data)


def test_a_truncated_pdf_is_refused():
    data = sample_paper().to_bytes()
    with pytest.raises(UnsupportedDocument, match=r"paper\.pdf is truncated"):
        parse(data[: len(data) * 2 // 3])


def test_a_damaged_pdf_is_refused():
    with pytest.raises(UnsupportedDocument, match=r"paper\.pdf is a damaged PDF"):
        parse(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n")


def test_a_zero_byte_file_is_refused():
    with pytest.raises(UnsupportedDocument, match=r"paper\.pdf is empty"):
        parse(b"")


def test_a_text_file_named_pdf_is_refused_with_a_clear_message():
    with pytest.raises(
        UnsupportedDocument,
        match=r"notes\.pdf is named \.pdf but is not a PDF: it looks like plain text",
    ):
        parse(b"Some notes I took during the talk.\nNothing more.\n", "notes.pdf")


def test_an_image_named_pdf_is_refused_as_an_image():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(UnsupportedDocument, match=r"scan\.pdf is an image \(PNG\)"):
        parse(png, "scan.pdf")


def test_a_pdf_without_a_text_layer_is_refused_with_an_ocr_hint():
    pdf = PdfBuilder()
    for _ in range(2):
        pdf.page().image()
    with pytest.raises(
        UnsupportedDocument, match=r"scan\.pdf has no text layer .*ocrmypdf scan\.pdf"
    ):
        parse(pdf.to_bytes(), "scan.pdf")
