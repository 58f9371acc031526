import pytest

from papershelf.core.errors import UnsupportedDocument
from papershelf.ingest.detect import display_name, sniff_kind

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def test_pdf_magic_wins_over_any_name():
    assert sniff_kind(PDF, "download") == "pdf"
    assert sniff_kind(PDF, "paper.html") == "pdf"


def test_pdf_magic_after_a_little_leading_junk_is_still_a_pdf():
    assert sniff_kind(b"\r\n\x00junk" + PDF, "x.pdf") == "pdf"


def test_the_extension_decides_for_text_formats():
    assert sniff_kind(b"# Title\n\nSome text.", "notes.md") == "markdown"
    assert sniff_kind(b"<p>hello</p>", "page.htm") == "html"
    assert sniff_kind(b"# not a heading, just text", "notes.txt") == "text"


def test_the_name_of_a_url_is_read_without_its_query():
    assert (
        sniff_kind(b"# Title\n\nSome *text*.", "https://example.org/post.markdown?ref=feed")
        == "markdown"
    )
    assert display_name("https://example.org/papers/x.pdf?download=1") == "x.pdf"


def test_html_without_an_extension_is_recognised_by_its_content():
    page = b"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>hi</p></body></html>"
    assert sniff_kind(page, "https://example.org/abs/2501.09898") == "html"


def test_markdown_without_an_extension_is_recognised_by_its_content():
    text = "# SmolVLM\n\nA [blog](https://hf.co) post.\n\n- one\n- two\n\n```python\nx = 1\n```\n"
    assert sniff_kind(text.encode(), "README") == "markdown"


def test_plain_prose_without_an_extension_is_text():
    assert (
        sniff_kind(
            "互信息是信息论中的一个概念。\nIt measures shared information.".encode(), "notes"
        )
        == "text"
    )


def test_chinese_text_in_gb18030_is_text():
    assert sniff_kind("互信息是信息论中的一个概念。".encode("gb18030"), "zh.txt") == "text"


def test_an_empty_file_is_refused():
    with pytest.raises(UnsupportedDocument, match=r"^x\.pdf is empty \(0 bytes\)"):
        sniff_kind(b"", "/tmp/x.pdf")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "JPEG"),
        (b"GIF89a" + b"\x00" * 32, "GIF"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "WebP"),
        (b"II*\x00" + b"\x00" * 32, "TIFF"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00" + b"\x00" * 32, "BMP"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32, "HEIC"),
    ],
)
def test_an_image_is_refused_as_an_image(data, kind):
    with pytest.raises(
        UnsupportedDocument, match=rf"photo\.jpg is an image \({kind}\); papershelf reads PDFs"
    ):
        sniff_kind(data, "photo.jpg")


def test_a_word_document_is_refused_with_what_to_do():
    docx = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"word/document.xml"
    with pytest.raises(UnsupportedDocument, match=r"a Word document \(\.docx\); export it to PDF"):
        sniff_kind(docx, "paper.docx")


def test_a_zip_archive_is_refused():
    with pytest.raises(UnsupportedDocument, match=r"papers\.zip is a ZIP archive; unpack it"):
        sniff_kind(b"PK\x03\x04" + b"\x00" * 40 + b"a.pdf", "papers.zip")


def test_a_gzip_archive_is_refused():
    with pytest.raises(UnsupportedDocument, match=r"is a gzip archive"):
        sniff_kind(b"\x1f\x8b\x08\x00" + b"\x00" * 20, "papers.tar.gz")


def test_binary_junk_is_refused():
    with pytest.raises(UnsupportedDocument, match=r"blob is binary data, not a document"):
        sniff_kind(bytes(range(256)) * 4, "blob")


def test_text_in_an_unknown_encoding_is_refused_with_a_conversion_hint():
    latin1 = "Café crème, naïve résumé — déjà vu. ".encode("cp1252") * 3 + b"\x81\x8d\x9d\xff\xfe"
    with pytest.raises(UnsupportedDocument, match=r"is not UTF-8 or GB18030 text; convert it"):
        sniff_kind(latin1, "notes.txt")


def test_a_web_page_saved_as_pdf_is_refused_as_html():
    with pytest.raises(
        UnsupportedDocument,
        match=r"x\.pdf is named \.pdf but is not a PDF: it looks like an HTML page",
    ):
        sniff_kind(b"<!doctype html><html><body>Captcha</body></html>", "x.pdf")
