"""Decide what kind of document some bytes are: magic bytes first, then the name, then the content."""

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from papershelf.core.errors import UnsupportedDocument
from papershelf.core.models import SourceKind

_NEEDS = "papershelf reads PDFs with a text layer, Markdown, HTML and plain text"

_IMAGE_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
)
_ISO_MEDIA_IMAGES = {b"heic": "HEIC", b"heix": "HEIC", b"hevc": "HEIC", b"mif1": "HEIF",
                     b"msf1": "HEIF", b"avif": "AVIF"}  # fmt: skip
_ARCHIVE_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"BZh", 0, "a bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"ustar", 257, "a tar archive"),
)
_OFFICE_IN_ZIP = (
    (b"word/", "a Word document (.docx); export it to PDF or Markdown first"),
    (b"ppt/", "a PowerPoint file (.pptx); export it to PDF first"),
    (b"xl/", "an Excel workbook (.xlsx); papershelf does not read spreadsheets"),
    (b"application/epub+zip", "an EPUB e-book; convert it to HTML or Markdown first"),
    (b"application/vnd.oasis.opendocument", "an OpenDocument file; export it to PDF first"),
)
_EXTENSIONS: dict[str, SourceKind] = {
    ".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
    ".mkd": "markdown", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".text": "text",
}  # fmt: skip
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S
)
_HTML_TAGS = re.compile(rb"<(html|body|div|p|h1|h2|article|section)\b[^>]*>", re.I)
_MARKDOWN_SIGNS = (
    re.compile(r"^#{1,6} \S", re.M),
    re.compile(r"^```", re.M),
    re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
    re.compile(r"^\s*[-*+] \S", re.M),
    re.compile(r"^\|.*\|\s*$\n^\|[\s:|-]+\|\s*$", re.M),
    re.compile(r"\*\*[^*\n]+\*\*"),
)


def sniff_kind(data: bytes, name: str) -> SourceKind:
    """pdf, markdown, html or text; raise UnsupportedDocument for what papershelf cannot read."""
    label = display_name(name)
    if not data.strip():
        raise UnsupportedDocument(
            f"{label} is empty ({len(data)} bytes); check the file or download it again"
        )
    if b"%PDF-" in data[:1024]:
        return "pdf"
    _refuse_binary_formats(data, label)
    text = _decode(data, label)
    extension = _extension(name)
    looks_like = _content_kind(data, text)
    if extension == ".pdf":
        raise UnsupportedDocument(
            f"{label} is named .pdf but is not a PDF: it looks like {_describe(looks_like)}; "
            "download it again or rename it to its real type"
        )
    return _EXTENSIONS.get(extension) or looks_like


def display_name(name: str) -> str:
    """The last part of a path or URL, for messages."""
    path = urlsplit(name).path if "://" in name else name
    return PurePosixPath(path.replace("\\", "/")).name or name


def _extension(name: str) -> str:
    path = urlsplit(name).path if "://" in name else name
    return PurePosixPath(path).suffix.lower()


def _refuse_binary_formats(data: bytes, label: str) -> None:
    image = _image_format(data)
    if image:
        raise UnsupportedDocument(
            f"{label} is an image ({image}); {_NEEDS}: put scans through OCR first "
            "(e.g. `img2pdf scan.png -o scan.pdf && ocrmypdf scan.pdf out.pdf`)"
        )
    if data.startswith(b"PK\x03\x04"):
        head = data[:4096]
        for marker, what in _OFFICE_IN_ZIP:
            if marker in head:
                raise UnsupportedDocument(f"{label} is {what}")
        raise UnsupportedDocument(f"{label} is a ZIP archive; unpack it and add the papers inside")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedDocument(
            f"{label} is a legacy Microsoft Office file (.doc/.xls/.ppt); export it to PDF first"
        )
    for magic, offset, what in _ARCHIVE_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            raise UnsupportedDocument(f"{label} is {what}; unpack it and add the papers inside")
    if data.startswith(b"%!PS"):
        raise UnsupportedDocument(
            f"{label} is PostScript; convert it with `ps2pdf {label}` and add the PDF"
        )
    if data.startswith(b"{\\rtf"):
        raise UnsupportedDocument(
            f"{label} is an RTF document; export it to PDF or plain text first"
        )
    if data.startswith(b"AT&TFORM"):
        raise UnsupportedDocument(
            f"{label} is a DjVu document; convert it to a PDF with a text layer first"
        )


def _image_format(data: bytes) -> str | None:
    for magic, offset, image in _IMAGE_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return image
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp" and data[8:12] in _ISO_MEDIA_IMAGES:
        return _ISO_MEDIA_IMAGES[data[8:12]]
    if (
        data[:2] == b"BM"
        and len(data) > 26
        and data[6:10] == b"\x00\x00\x00\x00"
        and b"\x00" in data[10:14]
    ):
        return "BMP"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "SVG"
    return None


def _decode(data: bytes, label: str) -> str:
    """The text, if the bytes are text in an encoding papershelf reads; else refuse them."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    sample = data[:65536]
    if b"\x00" in sample:
        raise UnsupportedDocument(f"{label} is binary data, not a document; {_NEEDS}")
    text = ""
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
            break
        except UnicodeDecodeError as error:
            # A cut in the middle of a multi-byte character at the sample's end is fine.
            if error.start >= len(sample) - 4 and len(data) > len(sample):
                text = sample[: error.start].decode(encoding, errors="replace")
                break
    else:
        raise UnsupportedDocument(
            f"{label} is not UTF-8 or GB18030 text; convert it (e.g. `iconv -f latin1 -t utf-8`) and try again"
        )
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        raise UnsupportedDocument(f"{label} is binary data, not a document; {_NEEDS}")
    return text


def _content_kind(data: bytes, text: str) -> SourceKind:
    head = data[:4096]
    if _HTML_START.match(head) or len(_HTML_TAGS.findall(head)) >= 3:
        return "html"
    signs = sum(1 for pattern in _MARKDOWN_SIGNS if pattern.search(text[:20000]))
    return "markdown" if signs >= 2 else "text"


def _describe(kind: SourceKind) -> str:
    return {
        "html": "an HTML page (a download that returned a web page?)",
        "markdown": "a Markdown document",
    }.get(kind, "plain text")
