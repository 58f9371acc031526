"""Read a PDF with pypdfium2 into pages of text lines that carry position, size and weight.

Only a few characters per line are measured (first, middle, last), which keeps layout
evidence cheap enough for long papers; page 1's header lines also get word-gap splits.
"""

import bisect
import ctypes
import math
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from papershelf.core.errors import UnsupportedDocument

_BOLD_FONT_NAME = re.compile(r"bold|black|heavy|semibold|demi|medi|cmbx|\.b\b", re.IGNORECASE)
_SKIPPED_ANNOTATIONS = {
    pdfium_c.FPDF_ANNOT_POPUP,
    pdfium_c.FPDF_ANNOT_LINK,
    pdfium_c.FPDF_ANNOT_WIDGET,
}
# A word space is about a quarter of an em; a gap this wide (in glyph-box heights) separates names.
_SEPARATOR_GAP = 0.6


@dataclass(slots=True)
class Line:
    """One line of a page as the text layer has it, with its layout facts (PDF points, y up)."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    size: float
    weight: int
    peak_size: float = 0.0
    # pdfium joins a word hyphenated across two lines into one line, so where a line ends
    # (the last glyph's box bottom) can be a row below where it starts (`bottom`).
    end_bottom: float = 0.0
    pieces: list[str] | None = None


@dataclass
class Page:
    """A page's lines in content order, its size, and the comments annotated on it."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def visible_chars(self) -> int:
        return sum(len(line.text) - line.text.count(" ") for line in self.lines)


def open_pdf(data: bytes, label: str) -> pdfium.PdfDocument:
    """Open the PDF, or say why it cannot be read (encrypted, damaged)."""
    if b"%%EOF" not in data[-1024:]:
        raise UnsupportedDocument(
            f"{label} is truncated (the PDF has no end-of-file marker); download or copy it again"
        )
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise UnsupportedDocument(
                f"{label} is encrypted with a password; save a decrypted copy "
                "(e.g. `qpdf --decrypt --password=... in.pdf out.pdf`) and add that"
            ) from error
        raise UnsupportedDocument(
            f"{label} is a damaged PDF that cannot be read ({error}); download it again or re-save it"
        ) from error


def read_metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    return {key: value.strip() for key, value in pdf.get_metadata_dict(skip_empty=True).items()}


def read_pages(pdf: pdfium.PdfDocument) -> list[Page]:
    pages = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            pages.append(_read_page(page, index + 1))
        finally:
            page.close()
    return pages


def _read_page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    result = Page(number=number, width=width, height=height, notes=_notes(page))
    textpage = page.get_textpage()
    try:
        reader = _LineReader(textpage, textpage.get_text_range(), first_page=number == 1)
        result.lines = reader.lines(split_top_lines_above=height * 0.45 if number == 1 else None)
    finally:
        textpage.close()
    return result


class _LineReader:
    """Turns one text page into Lines, measuring a few characters of each."""

    def __init__(self, textpage: pdfium.PdfTextPage, text: str, first_page: bool) -> None:
        self.textpage = textpage
        self.text = text
        self.first_page = first_page
        self.box = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()
        # pdfium counts in UTF-16 units: characters beyond the BMP shift later indices by one.
        self.wide = (
            [i for i, ch in enumerate(text) if ch >= "\U00010000"]
            if text and max(text) >= "\U00010000"
            else []
        )
        self.aligned = not self.wide and textpage.count_chars() == len(text)

    def lines(self, split_top_lines_above: float | None) -> list[Line]:
        lines = []
        offset = 0
        for raw_line in self.text.split("\r\n"):
            line = self._measure(offset, offset + len(raw_line))
            if (
                line is not None
                and split_top_lines_above is not None
                and line.top > split_top_lines_above
                and line.x1 - line.x0 > 3 * line.size  # not vertical text such as the arXiv stamp
            ):
                lines += self._split(offset, offset + len(raw_line))
            elif line is not None:
                lines.append(line)
            offset += len(raw_line) + 2
        return lines

    def _measure(self, start: int, end: int) -> Line | None:
        """A Line for text[start:end], sized by its middle glyph (on page 1 by the median of three)."""
        text = self.text[start:end].replace("\r", " ").replace("\n", " ").replace("\x00", " ")
        stripped = text.strip()
        if not stripped:
            return None
        first = start + len(text) - len(text.lstrip())
        last = start + len(text.rstrip()) - 1
        middle = start + len(text) // 2
        while middle < last and text[middle - start].isspace():
            middle += 1
        if self.first_page:
            # The median ignores a footnote mark or a drop cap; the peak sees small caps' capitals.
            _, size, peak = sorted(self._font_size(i) for i in (first, middle, last))
        else:
            size = peak = self._font_size(middle)
        left, top, _, bottom = self._loose_box(first)
        _, _, right, end_bottom = self._loose_box(last)
        return Line(
            stripped, left, right, bottom, top, size, self._weight(middle), peak, end_bottom
        )

    def _split(self, start: int, end: int) -> list[Line]:
        """Lines pdfium ran together (a header and a title) cut apart where the baseline jumps;
        each with `pieces`: its text cut where a gap is far wider than a word space."""
        rows: list[list[int]] = [[]]
        previous: tuple[float, float, float, float] | None = None
        for index in range(start, end):
            if self.text[index].isspace():
                rows[-1].append(index)
                continue
            box = self._loose_box(index)
            if previous is not None and abs(box[3] - previous[3]) > 0.8 * max(box[1] - box[3], 1.0):
                # The baseline jumped by more than a superscript would.
                rows.append([])
            rows[-1].append(index)
            previous = box
        lines = []
        for row in rows:
            line = self._measure(row[0], row[-1] + 1) if row else None
            if line is not None:
                line.pieces = self._pieces(row[0], row[-1] + 1, line.size)
                lines.append(line)
        return lines

    def _pieces(self, start: int, end: int, size: float) -> list[str]:
        pieces: list[str] = []
        current: list[str] = []
        previous_right: float | None = None
        for index in range(start, end):
            ch = self.text[index]
            if ch.isspace():
                current.append(ch)
                continue
            left, _, right, _ = self._loose_box(index)
            if previous_right is not None and left - previous_right > _SEPARATOR_GAP * size:
                pieces.append("".join(current).strip())
                current = []
            current.append(ch)
            previous_right = right
        pieces.append("".join(current).strip())
        return [piece for piece in pieces if piece]

    def _char(self, text_index: int) -> int:
        if self.aligned:
            return text_index
        utf16_index = text_index + bisect.bisect_left(self.wide, text_index)
        return pdfium_c.FPDFText_GetCharIndexFromTextIndex(self.textpage, utf16_index)

    def _loose_box(self, text_index: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the glyph's font box: its height follows the font size."""
        box = self.box
        if not pdfium_c.FPDFText_GetLooseCharBox(self.textpage, self._char(text_index), box):
            return (0.0, 0.0, 0.0, 0.0)
        return (box.left, box.top, box.right, box.bottom)

    def _font_size(self, text_index: int) -> float:
        """The glyph's size on the page: the font size scaled by the text matrix."""
        index = self._char(text_index)
        matrix = self.matrix
        if not pdfium_c.FPDFText_GetMatrix(self.textpage, index, matrix):
            return 0.0
        scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        return pdfium_c.FPDFText_GetFontSize(self.textpage, index) * scale

    def _weight(self, text_index: int) -> int:
        index = self._char(text_index)
        weight = pdfium_c.FPDFText_GetFontWeight(self.textpage, index)
        if weight > 0:
            return weight
        size = pdfium_c.FPDFText_GetFontInfo(self.textpage, index, None, 0, None)
        if size <= 0:
            return 400
        name = ctypes.create_string_buffer(size)
        pdfium_c.FPDFText_GetFontInfo(self.textpage, index, name, size, None)
        return 700 if _BOLD_FONT_NAME.search(name.value.decode("latin-1")) else 400


def _notes(page: pdfium.PdfPage) -> list[str]:
    """The text of comments (sticky notes, free text, highlight notes) annotated on the page."""
    notes = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annotation = pdfium_c.FPDFPage_GetAnnot(page, index)
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annotation) in _SKIPPED_ANNOTATIONS:
                continue
            size = pdfium_c.FPDFAnnot_GetStringValue(annotation, b"Contents", None, 0)
            if size <= 2:
                continue
            buffer = (ctypes.c_ushort * (size // 2))()
            pdfium_c.FPDFAnnot_GetStringValue(annotation, b"Contents", buffer, size)
            note = bytes(buffer)[: size - 2].decode("utf-16-le", errors="replace").strip()
            if note:
                notes.append(note)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
    return notes
