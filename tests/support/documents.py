"""Small real documents written by tests: PDFs (through PyMuPDF), Markdown, text."""

from pathlib import Path

import pymupdf

PAPER_PAGES = [
    [
        ("Tiny Models See Far: Pixel Shuffle for Compact Vision", 20),
        ("Ada Lovelace  Alan Turing", 12),
        ("Abstract", 12),
        ("We study how pixel shuffle reduces the number of visual tokens in small", 10),
        ("vision-language models while keeping accuracy on document benchmarks.", 10),
        ("1 Introduction", 12),
        ("Small models need short contexts. Compressing image patches is the most", 10),
        ("effective lever we found for memory use on phones and laptops.", 10),
    ],
    [
        ("2 Method", 12),
        ("Pixel shuffle rearranges each 4x4 block of patch embeddings into one token,", 10),
        ("so an image of 1024 patches costs only 64 tokens in the language model.", 10),
        ("3 Results", 12),
        ("The compressed model reaches 81.6 percent on the document benchmark with", 10),
        ("sixteen times fewer visual tokens than the baseline.", 10),
    ],
]


def write_pdf(
    path: Path, pages: list[list[tuple[str, float]]] = PAPER_PAGES, **save_options: object
) -> Path:
    """A PDF with a real text layer; each line is (text, font size)."""
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        y = 72.0
        for text, size in lines:
            page.insert_text((72, y), text, fontsize=size, fontname="helv")
            y += size * 1.6
    doc.set_metadata({"title": "", "author": ""})
    doc.save(str(path), **save_options)
    doc.close()
    return path


def write_encrypted_pdf(path: Path) -> Path:
    return write_pdf(
        path,
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        owner_pw="owner-secret",
        user_pw="user-secret",
    )


def write_image_only_pdf(path: Path) -> Path:
    """A PDF whose page is only a picture (like a scan): no text layer."""
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pixmap.clear_with(200)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, pixmap=pixmap)
    doc.save(str(path))
    doc.close()
    return path


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000200ad53a1d60000000049454e44ae426082"
)
