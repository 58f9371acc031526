"""Small PDFs for the PDF tests, written with pymupdf: text in chosen fonts, sizes and places."""

import pymupdf
import pypdfium2 as pdfium

LEFT = 72.0
TOP = 90.0


class PdfBuilder:
    """Writes pages line by line from the top, like a simple typesetter (y grows downwards)."""

    def __init__(self) -> None:
        self.doc = pymupdf.open()
        self.current: pymupdf.Page | None = None
        self.y = TOP

    def page(self) -> "PdfBuilder":
        self.current = self.doc.new_page(width=612, height=792)
        self.y = TOP
        return self

    def line(
        self,
        text: str,
        size: float = 10.0,
        bold: bool = False,
        x: float = LEFT,
        gap: float = 0.0,
        font: str = "",
    ) -> "PdfBuilder":
        self.y += gap + size * 1.25
        fontname = font or ("hebo" if bold else "helv")
        self._page().insert_text((x, self.y), text, fontsize=size, fontname=fontname)
        return self

    def paragraph(
        self, lines: list[str], size: float = 10.0, indent: float = 15.0, font: str = ""
    ) -> "PdfBuilder":
        """A paragraph set like LaTeX does: first line indented, no extra space around it."""
        for i, text in enumerate(lines):
            self.line(text, size=size, x=LEFT + (indent if i == 0 else 0), font=font)
        return self

    def text_at(
        self, x: float, y: float, text: str, size: float = 9.0, rotate: int = 0
    ) -> "PdfBuilder":
        self._page().insert_text((x, y), text, fontsize=size, fontname="tiro", rotate=rotate)
        return self

    def image(self) -> "PdfBuilder":
        """A grey picture over most of the page: what a scanner produces, with no text at all."""
        pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
        pixmap.set_rect(pixmap.irect, (200, 200, 200))
        self._page().insert_image(pymupdf.Rect(50, 50, 560, 740), pixmap=pixmap)
        return self

    def comment(self, text: str) -> "PdfBuilder":
        self._page().add_text_annot((560, 100), text)
        return self

    def to_bytes(
        self, metadata: dict[str, str] | None = None, password: str | None = None
    ) -> bytes:
        if metadata:
            self.doc.set_metadata(metadata)
        if password:
            return self.doc.tobytes(
                encryption=pymupdf.mupdf.PDF_ENCRYPT_AES_256,
                user_pw=password,
                owner_pw=password + "!",
            )
        return self.doc.tobytes()

    def _page(self) -> pymupdf.Page:
        if self.current is None:
            self.page()
        assert self.current is not None
        return self.current


BODY = [
    "Large models are trained on text from many sources, and the way that text is",
    "extracted decides what a model can later find in it. This paragraph is long",
    "enough to look like the body of a paper, so that layout rules see real lines.",
]


def sample_paper() -> PdfBuilder:
    """A two-page paper: title, authors, abstract and numbered sections in bold."""
    pdf = PdfBuilder().page()
    pdf.line("Learning to Read Papers Quickly", size=18, bold=True, x=140)
    pdf.line("Alice Smith1, Bob Jones2 and Carol White1", size=11, x=180, gap=6)
    pdf.line("1University of Somewhere, 2Example Research Lab", size=9, x=180)
    pdf.line("alice@example.org", size=9, x=240)
    pdf.line("Abstract", size=11, bold=True, x=280, gap=14)
    pdf.paragraph(
        ["We show how to read papers quickly and well, keeping their sections intact.", *BODY[1:]]
    )
    pdf.line("1 Introduction", size=12, bold=True, gap=10)
    pdf.paragraph(BODY)
    pdf.paragraph(BODY)
    pdf.line("2 Method", size=12, bold=True, gap=10)
    pdf.paragraph(BODY)
    pdf.page()
    pdf.line("2.1 Reading Order", size=11, bold=True)
    pdf.paragraph(BODY)
    pdf.line("3 Conclusion", size=12, bold=True, gap=10)
    pdf.paragraph(BODY)
    pdf.line("References", size=12, bold=True, gap=10)
    pdf.line("[1] A. Smith. On reading. 2020.")
    return pdf


def test_the_builder_writes_text_that_pdfium_reads_back():
    data = PdfBuilder().page().line("Hello papers").to_bytes()
    textpage = pdfium.PdfDocument(data)[0].get_textpage()
    assert textpage.get_text_range().strip() == "Hello papers"


def test_the_builder_can_write_a_page_without_any_text():
    data = PdfBuilder().page().image().to_bytes()
    assert pdfium.PdfDocument(data)[0].get_textpage().count_chars() == 0
