"""Hybrid retrieval with another passage embedder beside the built-in one: recall on the project's
questions side by side, each embedder's passages/s on the same sample, and the search time.

Run: python -m bench.bench_embedders --embedder st:<folder or hub id> [--label NAME]
     [--embedder gguf:<file> [--label NAME] ...] [--home DIR]

`--home` keeps the other embedders' libraries between runs (one folder each, named by label): indexing is the slow part (~1
passage/s for EmbeddingGemma-300M on 2 cores, docs/retrieval-notes.md §21). Without an embedder
(`--embedder` or PAPERSHELF_BENCH_EMBEDDER) it says what to pass and writes nothing, which is what
`make bench` does on a machine that has no such model.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.bench_retrieval import Outcome, recall, run_mode, searcher
from bench.eval.check_evidence import (
    QUESTIONS,
    Question,
    extracted,
    ingest,
    load_questions,
)
from bench.report import CORPUS, median, table, write_section
from papershelf.core.errors import PapershelfError
from papershelf.core.settings import Settings
from papershelf.core.tokens import count_tokens
from papershelf.embeddings.base import Embedder
from papershelf.embeddings.factory import DEFAULT as DEFAULT_EMBEDDER
from papershelf.library import Library

SECTION = "embedders"
THROUGHPUT_SAMPLE = 32
SUBSETS = (
    ("all", lambda q: True),
    ("dev", lambda q: q.split == "dev"),
    ("test", lambda q: q.split == "test"),
    ("zh->en", lambda q: q.pairing == "zh->en"),
)


def prepared(library: Library) -> tuple[dict[str, str], dict[str, int], list[str], float]:
    """Ingest the corpus (papers already there are kept with their vectors) and embed what has no
    vector: the mapping, each paper's tokens, a sample of passage texts, the seconds it took."""
    started = time.perf_counter()
    mapping, failures = ingest(library, CORPUS)
    library.index()
    seconds = time.perf_counter() - started
    for line in failures:
        print(f"not ingested: {line}")
    passages, contents = extracted(library, mapping)
    texts = [p.text for key in sorted(passages) for p in passages[key]]
    step = max(1, len(texts) // THROUGHPUT_SAMPLE)
    tokens = {key: count_tokens(text) for key, text in contents.items()}
    return mapping, tokens, texts[::step][:THROUGHPUT_SAMPLE], seconds


def passages_per_second(embedder: Embedder, texts: Sequence[str]) -> float:
    embedder.embed_documents(texts[:2])  # load the model first
    started = time.perf_counter()
    embedder.embed_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def recall_row(label: str, outcomes: Sequence[Outcome]) -> list[object]:
    row: list[object] = [label]
    for _, wanted in SUBSETS:
        chosen = [o for o in outcomes if wanted(o.question)]
        row.append(" / ".join(f"{recall(chosen, k):.3f}" for k in (1, 5, 10)))
    row.append(f"{median([o.seconds for o in outcomes]) * 1000:.0f}")
    return row


def measure(
    label: str, library: Library, questions: Sequence[Question]
) -> tuple[list[list[object]], list[object]]:
    mapping, tokens, sample, index_s = prepared(library)
    assert library.embedder is not None
    rows = [
        recall_row(
            f"{label}, {mode}", run_mode(searcher(library, mode), questions, mapping, tokens)
        )
        for mode in ("hybrid", "dense")
    ]
    speed = [
        label,
        library.embedder.model_id.replace("|", "\\|"),  # prompts hold '|'
        f"{passages_per_second(library.embedder, sample):.2f}",
        f"{index_s:.0f}",
    ]
    return rows, speed


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "other"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--embedder",
        action="append",
        default=[],
        help="another embedder (st:..., gguf:..., openai:...); repeat to compare several",
    )
    parser.add_argument(
        "--label", action="append", default=[], help="each other embedder's name, in order"
    )
    parser.add_argument(
        "--home", type=Path, help="folder for the other embedders' libraries, kept between runs"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    embedders = args.embedder or [
        name for name in [os.environ.get("PAPERSHELF_BENCH_EMBEDDER", "")] if name
    ]
    if not embedders:
        print(
            "bench_embedders: no embedder to compare; pass --embedder st:<folder> or "
            "gguf:<file> (or set PAPERSHELF_BENCH_EMBEDDER), e.g. EmbeddingGemma-300M. "
            "Nothing written."
        )
        return
    if len(args.label) > len(embedders):
        raise SystemExit(f"{len(args.label)} labels for {len(embedders)} embedders")
    labels = [*args.label, *[f"other {i + 1}" for i in range(len(args.label), len(embedders))]]
    folders = [slug(label) for label in labels]
    if len(set(folders)) < len(folders):
        raise SystemExit(f"labels must differ in their letters and digits: {labels}")
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    questions = load_questions(QUESTIONS)
    homes = args.home or Path(tempfile.mkdtemp(prefix="papershelf-bench-embedders-"))
    recall_rows, speed_rows, described = [], [], []
    built_in = Path(tempfile.mkdtemp(prefix="papershelf-bench-embedders-default-"))
    with Library(Settings(home=built_in, embedder=DEFAULT_EMBEDDER)) as default:
        rows, speed = measure("built-in", default, questions)
        recall_rows += rows
        speed_rows.append(speed)
    for name, label, folder in zip(embedders, labels, folders, strict=True):
        try:
            with Library(Settings(home=homes / folder, embedder=name)) as other:
                rows, speed = measure(label, other, questions)
                words = other.word_embedder.model_id if other.word_embedder else "none"
                weight = other.searcher.fusion.dense_weight
        except PapershelfError as exc:  # the others' numbers still count
            print(f"bench_embedders: {label} ({name}) failed: {exc}")
            described.append(f"'{label}' (`{name}`) failed: {exc}.")
            continue
        recall_rows += rows
        speed_rows.append(speed)
        described.append(
            f"'{label}' is `{name}`; its library carries words with `{words}` and gives the "
            f"dense list weight {weight:g}."
        )
    body = "\n".join(
        [
            "## Passage embedders side by side (bench/bench_embedders.py)",
            "",
            f"The {len(questions)} questions of bench/eval/questions.jsonl, recall@1 / 5 / 10. "
            + " ".join(described)
            + f" Passages/s: {THROUGHPUT_SAMPLE} corpus passages embedded in one call; index s: "
            "adding the corpus and embedding what had no vector in this run (0-ish when the "
            "library was kept from an earlier run).",
            "",
            table(["search", *[name for name, _ in SUBSETS], "median ms"], recall_rows),
            "",
            table(["embedder", "model id", "passages/s", "index s"], speed_rows),
        ]
    )
    print(body)
    if not args.no_write:
        write_section(SECTION, body)
    for folder in (built_in, None if args.home else homes):
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
