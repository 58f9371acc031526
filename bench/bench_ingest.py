"""End-to-end ingestion of ../shared/corpus: pages/s through `Library.add` (parse, chunk, keywords,
store) against the tutorial's procedure (pypdf text extraction alone), and every file's outcome.

Run: python -m bench.bench_ingest [--runs 3]
"""

import argparse
import logging
import tempfile
import time
from pathlib import Path

from bench.report import CORPUS, median, table, write_section
from papershelf.core.settings import Settings
from papershelf.library import AddReport, Library


def ingest_once(files: list[Path], embedder: str = "none") -> tuple[float, Library, AddReport]:
    home = Path(tempfile.mkdtemp(prefix="papershelf-bench-"))
    library = Library(Settings(home=home, embedder=embedder))
    started = time.perf_counter()
    report = library.add([str(f) for f in files])
    return time.perf_counter() - started, library, report


def pypdf_once(files: list[Path]) -> float:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns on every CFF font

    started = time.perf_counter()
    for path in files:
        try:
            reader = PdfReader(path)
            "".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # the baseline just skips what it cannot read
            continue
    return time.perf_counter() - started


def page_count(path: Path) -> int:
    import pypdfium2

    try:
        return len(pypdfium2.PdfDocument(path))
    except pypdfium2.PdfiumError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pdf_dir = CORPUS / "pdf"
    if not pdf_dir.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    pdfs = sorted(pdf_dir.glob("*.pdf"))
    pages = sum(page_count(p) for p in pdfs)

    ours: list[float] = []
    baseline: list[float] = []
    for _ in range(args.runs):
        elapsed, library, report = ingest_once(pdfs)
        ours.append(elapsed)
        baseline.append(pypdf_once(pdfs))
    stored = report.results
    embedded_s, _lib, _report = ingest_once(pdfs, embedder="use-multilingual")
    stored_pages = sum(r.paper.pages or 0 for r in stored)
    sections = {r.paper.id: len(library.get_document(r.paper.id).sections) for r in stored}
    passages = {r.paper.id: len(library.get_document(r.paper.id).passages) for r in stored}

    ours_pps = stored_pages / median(ours)
    base_pps = pages / median(baseline)
    summary = table(
        ["pipeline", "pages", f"median s (of {args.runs})", "pages/s", "ratio to pypdf"],
        [
            [
                "papershelf add (parse+clean+sections+chunk+keywords+SQLite)",
                stored_pages,
                median(ours),
                ours_pps,
                ours_pps / base_pps,
            ],
            [
                "the same plus dense embeddings (default embedder, 1 run)",
                stored_pages,
                embedded_s,
                stored_pages / embedded_s,
                stored_pages / embedded_s / base_pps,
            ],
            [
                "pypdf extract_text only (the tutorial's procedure, no structure)",
                pages,
                median(baseline),
                base_pps,
                1.0,
            ],
        ],
    )
    outcome_rows = []
    for result in stored:
        outcome_rows.append(
            [
                Path(result.source).name,
                result.outcome,
                result.paper.pages,
                sections[result.paper.id],
                passages[result.paper.id],
                result.paper.id,
                result.paper.title[:60],
            ]
        )
    for source, error in report.failures:
        outcome_rows.append([Path(source).name, "refused", "", "", "", "", error[:90]])
    outcomes = table(
        ["file", "outcome", "pages", "sections", "passages", "paper id", "title / reason"],
        outcome_rows,
    )

    docs = CORPUS / "docs"
    doc_home = Path(tempfile.mkdtemp(prefix="papershelf-bench-docs-"))
    doc_library = Library(Settings(home=doc_home, embedder="none"))
    doc_report = doc_library.add([str(docs)])
    import_report = doc_library.import_tutorial(docs / "essay_database.ai_essay.json")
    doc_rows = [
        [Path(r.source).name, r.outcome, r.paper.id, r.paper.language, r.paper.title[:60]]
        for r in doc_report.results + import_report.results
    ]
    doc_rows += [
        [Path(s).name, "refused", "", "", e[:90]]
        for s, e in doc_report.failures + import_report.failures
    ]
    doc_table = table(["document", "outcome", "paper id", "language", "title"], doc_rows)

    body = (
        "## Ingestion throughput (`bench/bench_ingest.py`)\n\n"
        f"All {len(pdfs)} PDFs of ../shared/corpus/pdf ({pages} pages), one process, a fresh SQLite library per run.\n\n"
        f"{summary}\n\nTarget: at least 25 pages/s with structure kept.\n\n"
        f"### Every corpus PDF\n\n{outcomes}\n\n### Every corpus document (docs/ and the tutorial's export)\n\n{doc_table}\n"
    )
    print(body)
    write_section("ingest-e2e", body)


if __name__ == "__main__":
    main()
