"""The PDF parser: page-cited, cleaned text with headings and front matter, via pypdfium2."""

import re
from pathlib import PurePosixPath

from papershelf.core.errors import UnsupportedDocument
from papershelf.core.tokens import detect_language
from papershelf.ingest.arxiv_stamp import ArxivStamp, find_arxiv_stamp
from papershelf.ingest.base import PageSpan, ParsedDocument
from papershelf.ingest.detect import display_name, sniff_kind
from papershelf.ingest.headings import find_headings, looks_like_heading
from papershelf.ingest.pdf_front import (
    abstract_of,
    appears_in,
    authors_from_layout,
    keywords_of,
    leading_abstract,
    plausible_authors,
    plausible_title,
    title_lines,
    title_text,
)
from papershelf.ingest.pdf_layout import Line, Page, open_pdf, read_metadata, read_pages
from papershelf.ingest.pdf_text import (
    Dehyphenator,
    body_style,
    page_paragraphs,
    remove_running_lines,
)

_PAGE_END_FRAGMENT = re.compile(r"((?:[^\W\d_]+-)*[^\W\d_]+)[-\u00ad\ufffe]$")
_PAGE_START_FRAGMENT = re.compile(r"([a-z]+)[ ]?")
# Fewer visible characters than this and a page counts as having no text layer (a scan, a figure).
MIN_PAGE_CHARS = 40


class PdfParser:
    """Parses PDFs that have a text layer; refuses scans, encrypted and damaged files with a reason."""

    def parse(self, data: bytes, name: str) -> ParsedDocument:
        label = display_name(name)
        kind = sniff_kind(data, name)
        if kind != "pdf":
            raise UnsupportedDocument(
                f"{label} is not a PDF (it looks like {kind}); add it as a {kind} file"
            )
        pdf = open_pdf(data, label)
        try:
            metadata = read_metadata(pdf)
            pages = read_pages(pdf)
        finally:
            pdf.close()
        if not pages:
            raise UnsupportedDocument(
                f"{label} is a PDF with no pages; check the file or download it again"
            )
        return _build(pages, metadata, label)


def _check_text_layer(pages: list[Page], label: str) -> list[str]:
    """Refuse scans; warn about a document with many pages that have no text."""
    empty = [page.number for page in pages if page.visible_chars < MIN_PAGE_CHARS]
    total = sum(page.visible_chars for page in pages)
    scanned = len(empty) == len(pages) and (len(pages) > 1 or total < 10)
    if scanned or (len(pages) >= 5 and len(empty) > 0.9 * len(pages)):
        ocr_name = PurePosixPath(label).stem + "-ocr.pdf"
        raise UnsupportedDocument(
            f"{label} has no text layer (a scan or image-only PDF); run OCR on it first, "
            f"e.g. `ocrmypdf {label} {ocr_name}` (add `-l chi_sim` for Chinese), and add the result"
        )
    if len(empty) > 0.3 * len(pages):
        return [f"{len(empty)} of {len(pages)} pages have no text layer (scanned pages?)"]
    return []


def _build(pages: list[Page], metadata: dict[str, str], label: str) -> ParsedDocument:
    first = pages[0]
    stamp = _take_arxiv_stamp(first)
    body_size, body_weight = body_style(pages)
    layout_title = title_lines(first, body_size)
    first_page_text = "\n".join(line.text for line in first.lines)
    title = _choose_title(
        metadata.get("Title", ""), title_text(layout_title), first_page_text, label
    )
    authors = _choose_authors(
        metadata.get("Author", ""), authors_from_layout(first, layout_title), first_page_text
    )

    _merge_title_lines(first, layout_title)
    # Headers and footers go first, so a scan with a printed download stamp still counts as a scan.
    remove_running_lines(pages, keep={id(line) for line in layout_title[:1]})
    warnings = _check_text_layer(pages, label)
    text, spans, emphasized = _assemble(pages, body_size, body_weight)
    headings = find_headings(text, emphasized=emphasized)
    if not title:
        warnings.append("no title found on the first page or in the PDF metadata")
    if not headings:
        warnings.append("no section headings found")
    return ParsedDocument(
        kind="pdf",
        text=text,
        pages=spans,
        headings=headings,
        title=title,
        authors=authors,
        abstract=abstract_of(text, headings) or leading_abstract(text, spans[0].char_end, headings),
        arxiv_id=stamp.arxiv_id if stamp else None,
        arxiv_version=stamp.version if stamp else None,
        published=stamp.published if stamp else None,
        keywords=keywords_of(text),
        categories=[stamp.category] if stamp and stamp.category else [],
        language=detect_language(text),
        warnings=warnings,
    )


def _assemble(
    pages: list[Page], body_size: float, body_weight: int
) -> tuple[str, list[PageSpan], set[int]]:
    """The document's text (paragraphs apart by a blank line), each page's span in it, and
    where the paragraphs set in a larger or bold font start."""
    dehyphenator = Dehyphenator(pages)
    texts: list[str] = []
    marks: list[list[int]] = []  # emphasized paragraph starts, relative to their page
    for page in pages:
        page_text, page_marks = "", []
        for paragraph in page_paragraphs(
            page, dehyphenator, looks_like_heading, body_size, body_weight
        ):
            page_text += "\n\n" if page_text else ""
            if paragraph.emphasized:
                page_marks.append(len(page_text))
            page_text += paragraph.text
        texts.append(page_text)
        marks.append(page_marks)
    for index in range(1, len(texts)):
        texts[index - 1], texts[index], moved = _rejoin_across_pages(
            texts[index - 1], texts[index], dehyphenator
        )
        marks[index] = [mark - moved for mark in marks[index] if mark >= moved]
    spans: list[PageSpan] = []
    emphasized: set[int] = set()
    offset = 0
    for page, page_text, page_marks in zip(pages, texts, marks, strict=True):
        spans.append(
            PageSpan(number=page.number, char_start=offset, char_end=offset + len(page_text))
        )
        emphasized.update(offset + mark for mark in page_marks)
        offset += len(page_text) + 2
    return "\n\n".join(texts), spans, emphasized


def _rejoin_across_pages(
    before: str, after: str, dehyphenator: Dehyphenator
) -> tuple[str, str, int]:
    """'exam-' ending one page and 'ple' starting the next: the whole word goes on the first
    page. Returns both texts and how many characters left the start of the second."""
    left = _PAGE_END_FRAGMENT.search(before)
    right = _PAGE_START_FRAGMENT.match(after)
    if not left or not right:
        return before, after, 0
    word = dehyphenator.join(left[1], right[1])
    moved = len(right[0])
    return before[: left.start()] + word, after[moved:], moved


def _take_arxiv_stamp(page: Page) -> ArxivStamp | None:
    """Find the arXiv stamp on the first page and cut it out of the page's lines."""
    joined = "\n".join(line.text for line in page.lines)
    stamp = find_arxiv_stamp(joined)
    if stamp is None:
        return None
    kept: list[Line] = []
    offset = 0
    for line in page.lines:
        start, end = offset, offset + len(line.text)
        offset = end + 1
        if end <= stamp.start or start >= stamp.end:
            kept.append(line)
            continue
        rest = (
            line.text[: max(0, stamp.start - start)] + " " + line.text[max(0, stamp.end - start) :]
        ).strip()
        if rest:
            line.text = rest
            kept.append(line)
    page.lines = kept
    return stamp


def _merge_title_lines(page: Page, title: list[Line]) -> None:
    """Keep a title set over several lines as one line, so it reads as one paragraph."""
    if len(title) < 2:
        return
    title[0].text = title_text(title)
    merged = {id(line) for line in title[1:]}
    page.lines = [line for line in page.lines if id(line) not in merged]


def _choose_title(metadata_title: str, layout_title: str, first_page_text: str, label: str) -> str:
    if plausible_title(metadata_title, label) and (
        not layout_title or appears_in(metadata_title, first_page_text)
    ):
        return " ".join(metadata_title.split())
    return layout_title


def _choose_authors(
    metadata_authors: str, layout_authors: list[str], first_page_text: str
) -> list[str]:
    from_metadata = plausible_authors(metadata_authors)
    lowered = first_page_text.lower()
    if from_metadata and any(name.split()[-1].lower() in lowered for name in from_metadata):
        return from_metadata
    return layout_authors
