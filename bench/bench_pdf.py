"""Measure PDF text extraction on the shared corpus: libraries side by side, then papershelf's parser.

Prints the tables and writes the `ingest-pdf` section of docs/benchmarks.md.
Usage: python bench/bench_pdf.py [--runs N] [--quick]
"""

import argparse
import csv
import io
import logging
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import CORPUS, median, table, write_section
from papershelf.core.errors import UnsupportedDocument
from papershelf.ingest.pdf import PdfParser
from papershelf.ingest.pdf_front import appears_in

PDF_DIR = CORPUS / "pdf"
CHINESE_FILES = ("zh_mutual-information-cnblogs-print.pdf", "annotated-zh_resnet-cvpr2016.pdf")
CJK = re.compile("[\u4e00-\u9fff]")
CJK_SPACED = re.compile("[\u4e00-\u9fff] +[\u4e00-\u9fff]")
LIGATURES = re.compile("[\ufb00-\ufb06]")
# A word split at a line end and left split: 'exam-' newline 'ple', or a soft/marked hyphen.
HYPHEN_SPLITS = re.compile(r"[^\W\d_]-[ \t]*\r?\n[ \t]*[^\W\d_]|[\u00ad\ufffe]")
QUICK_FILES = (
    "1911.05722.pdf",
    "1803.07113.pdf",
    "2005.07143.pdf",
    "annotated-zh_resnet-cvpr2016.pdf",
)
SLOW_LIBRARY_PAGE_LIMIT = 12  # pdfplumber reads ~2 pages/s: give it the short papers only, once


def extract_pypdf(data: bytes) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def extract_pypdfium2(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    texts = []
    for index in range(len(pdf)):
        page = pdf[index]
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    pdf.close()
    return texts


def extract_pymupdf(data: bytes) -> list[str]:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        return [page.get_text() for page in pdf]


def extract_pdfplumber(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def extract_papershelf(data: bytes) -> list[str]:
    try:
        doc = PdfParser().parse(data, "bench.pdf")
    except UnsupportedDocument:
        return []
    return [doc.text[span.char_start : span.char_end] for span in doc.pages]


EXTRACTORS: dict[str, tuple[str, Callable[[bytes], list[str]]]] = {
    "pypdf": ("BSD-3-Clause", extract_pypdf),
    "pypdfium2": ("Apache-2.0 / BSD-3", extract_pypdfium2),
    "pymupdf": ("AGPL-3.0", extract_pymupdf),
    "pdfplumber": ("MIT", extract_pdfplumber),
    "papershelf PdfParser": ("(pypdfium2)", extract_papershelf),
}


@dataclass
class Measured:
    library: str
    licence: str
    pages: int
    seconds: list[float]
    cpu_seconds: list[float]
    texts: dict[str, list[str]]
    note: str = ""

    @property
    def pages_per_second(self) -> float:
        return self.pages / median(self.seconds)

    @property
    def pages_per_cpu_second(self) -> float:
        """Steadier than wall time on a shared machine: other processes' load does not count."""
        return self.pages / median(self.cpu_seconds)


def run_library(name: str, files: dict[str, bytes], runs: int) -> Measured | None:
    licence, extract = EXTRACTORS[name]
    try:
        extract(next(iter(files.values())))
    except ImportError:
        print(f"  {name}: not installed, skipped", file=sys.stderr)
        return None
    texts: dict[str, list[str]] = {}
    seconds, cpu_seconds = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        for file, data in files.items():
            try:
                texts[file] = extract(data)
            except (
                Exception
            ) as error:  # a library failing on one file is a result to report, not a crash
                print(f"  {name} failed on {file}: {error}", file=sys.stderr)
                texts[file] = []
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
    pages = sum(PAGE_COUNTS[file] for file in files)
    return Measured(name, licence, pages, seconds, cpu_seconds, texts)


def parse_in_two_processes(files: dict[str, bytes], runs: int) -> float:
    """Pages/s of papershelf's parser with one process per core (the target names two cores)."""
    seconds = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(extract_papershelf, list(files.values())[:2]))  # start the workers first
        for _ in range(runs):
            start = time.perf_counter()
            list(pool.map(extract_papershelf, files.values(), chunksize=1))
            seconds.append(time.perf_counter() - start)
    return sum(PAGE_COUNTS[file] for file in files) / median(seconds)


def quality_row(measured: Measured, baseline: float) -> list[object]:
    pages = [page for texts in measured.texts.values() for page in texts]
    joined = "\n".join(pages)
    with_text = sum(1 for page in pages if len(page) - page.count(" ") >= 40)
    chinese = "\n".join("\n".join(measured.texts.get(file, [])) for file in CHINESE_FILES)
    return [
        measured.library + (f" ({measured.note})" if measured.note else ""),
        measured.licence,
        measured.pages,
        round(measured.pages_per_second, 1),
        round(measured.pages_per_cpu_second, 1),
        f"{measured.pages_per_cpu_second / baseline:.1f}x",
        f"{with_text / max(measured.pages, 1):.0%}",
        len(LIGATURES.findall(joined)),
        len(HYPHEN_SPLITS.findall(joined)),
        len(CJK.findall(chinese)),
        len(CJK_SPACED.findall(chinese)),
    ]


def per_file_rows(files: dict[str, bytes]) -> list[list[object]]:
    rows = []
    for file, data in files.items():
        entry = MANIFEST.get(file, {})
        try:
            doc = PdfParser().parse(data, file)
        except UnsupportedDocument as error:
            rows.append(
                [
                    file,
                    PAGE_COUNTS[file],
                    0,
                    "0%",
                    0,
                    "-",
                    "-",
                    0,
                    "-",
                    f"refused: {str(error)[len(file) + 1 :][:48]}",
                ]
            )
            continue
        texts = [doc.text[span.char_start : span.char_end] for span in doc.pages]
        with_text = sum(1 for text in texts if len(text.strip()) >= 40)
        expected_id = entry.get("arxiv_id", "")
        expected_id = expected_id if re.fullmatch(r"\d{4}\.\d{4,5}", expected_id) else ""
        rows.append([
            file,
            len(doc.pages),
            len(doc.text),
            f"{with_text / max(len(doc.pages), 1):.0%}",
            len(doc.headings),
            "yes" if doc.title else "no",
            "yes" if doc.title and appears_in(doc.title, entry.get("title", "")) else "no",
            len(doc.authors),
            ("yes" if doc.arxiv_id == expected_id else "no") if expected_id else ("-" if not doc.arxiv_id else "extra"),
            "; ".join(doc.warnings)[:60],
        ])  # fmt: skip
    return rows


def load_manifest() -> dict[str, dict[str, str]]:
    with open(PDF_DIR / "MANIFEST.tsv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


MANIFEST: dict[str, dict[str, str]] = {}
PAGE_COUNTS: dict[str, int] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="timed runs per library; the median is reported"
    )
    parser.add_argument("--quick", action="store_true", help="four files, one run: a smoke test")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # pypdf and pdfminer warn about every odd font
    if not PDF_DIR.is_dir():
        sys.exit(f"corpus not found at {PDF_DIR} (set PAPERSHELF_CORPUS)")
    MANIFEST.update(load_manifest())
    names = QUICK_FILES if args.quick else tuple(sorted(MANIFEST))
    runs = 1 if args.quick else args.runs
    files = {name: (PDF_DIR / name).read_bytes() for name in names}
    PAGE_COUNTS.update({name: int(MANIFEST[name]["pages"]) for name in names})

    results: list[Measured] = []
    for name in EXTRACTORS:
        print(f"measuring {name} ...", file=sys.stderr)
        subset, library_runs, note = files, runs, ""
        if name == "pdfplumber":
            subset = {f: d for f, d in files.items() if PAGE_COUNTS[f] <= SLOW_LIBRARY_PAGE_LIMIT}
            library_runs, note = 1, "short papers, 1 run"
        measured = run_library(name, subset, library_runs)
        if measured:
            measured.note = note
            results.append(measured)
    baseline = next(m.pages_per_cpu_second for m in results if m.library == "pypdf")
    wall_baseline = next(m.pages_per_second for m in results if m.library == "pypdf")
    two_cores = parse_in_two_processes(files, runs)

    headers = ["library", "licence", "pages", "pages/s", "pages/CPU-s", "vs pypdf", "pages with text", "ligatures left",
               "hyphen splits left", "CJK chars (2 zh PDFs)", "spaces inside CJK"]  # fmt: skip
    speed = table(headers, [quality_row(m, baseline) for m in results])
    file_headers = ["file", "pages", "chars", "pages with text", "sections", "title", "title = manifest",
                    "authors", "arXiv id", "notes"]  # fmt: skip
    files_table = table(file_headers, per_file_rows(files))
    parser = next(m for m in results if m.library == "papershelf PdfParser")
    summary = (
        f"papershelf's parser (text, pages, headings, front matter): {parser.pages_per_second:.0f} pages/s "
        f"in one process ({parser.pages_per_cpu_second:.0f} per CPU-second), {two_cores:.0f} pages/s with "
        f"two processes ({two_cores / wall_baseline:.1f}x pypdf's plain extraction in one). "
        "Target: 25 pages/s on 2 cores with headings kept. 'vs pypdf' compares CPU time; "
        "'pages with text': pages with 40+ visible characters; 'hyphen splits left': words still "
        "split at a line end (pypdfium2 marks them with U+FFFE, which papershelf repairs)."
    )
    body = "\n\n".join([
        "## PDF ingestion (`bench/bench_pdf.py`)",
        f"Corpus: {len(files)} PDFs, {sum(PAGE_COUNTS.values())} pages; pages/s is the median of {runs} run(s) "
        "over the whole corpus, parse only (no chunking or storage).",
        speed,
        summary,
        "Per file, papershelf's parser (sections = headings found; title = manifest is a fuzzy match):",
        files_table,
    ])  # fmt: skip
    print(body)
    if not args.quick:
        write_section("ingest-pdf", body)


if __name__ == "__main__":
    main()
