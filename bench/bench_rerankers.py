"""The reranking stage measured: what it costs a search on this machine, with random-weight
models of real rerankers' shapes run by llama.cpp; and, for each reranker named, recall on the
project's questions beside the built-in hybrid search alone, with the search time.

Run: python -m bench.bench_rerankers [--reranker gguf:<file or owner/repo/file.gguf>
     [--label NAME] --reranker api:<model> ...] [--depth 20] [--home DIR] [--no-cost]

`api:` rerankers are reached at PAPERSHELF_RERANKER_URL. `--home` keeps the built-in library
between runs. Without a reranker (`--reranker` or PAPERSHELF_BENCH_RERANKER), which is what
`make bench` does on a machine that has no reranking model, only the cost is measured.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.bench_embedders import SUBSETS, prepared, recall_row
from bench.bench_retrieval import run_mode
from bench.eval.check_evidence import QUESTIONS, load_questions
from bench.report import CORPUS, table, write_section
from bench.shaped_gguf import BGE_RERANKER_BASE, BGE_RERANKER_V2_M3, WORDS, write_bert
from papershelf.core.errors import PapershelfError
from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_reranker
from papershelf.embeddings.gguf_rerank import GGUFReranker
from papershelf.embeddings.reranker import Reranker
from papershelf.library import Library
from papershelf.search.hybrid import Searcher

SECTION = "rerankers"
SHAPES = (
    ("bge-reranker-base (XLM-R base: 12 layers, 768 wide)", BGE_RERANKER_BASE),
    ("bge-reranker-v2-m3 (XLM-R large: 24 layers, 1,024 wide)", BGE_RERANKER_V2_M3),
)
# A corpus passage is ~300 tokens (docs/retrieval-notes.md §15); a question ~20.
PASSAGE_TOKENS, QUESTION_TOKENS, RUNS = 300, 20, 3


def cost_rows(depth: int) -> list[list[object]]:
    """Seconds one search spends reranking `depth` passages, median of RUNS, for a Q8_0 model
    of each shape in SHAPES (random weights: the arithmetic of the real model)."""
    words = random.Random(0)

    def text(tokens: int) -> str:
        return " ".join(words.choice(WORDS) for _ in range(tokens))

    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="papershelf-bench-rerank-cost-") as folder:
        for index, (label, shape) in enumerate(SHAPES):
            model = write_bert(
                Path(folder) / f"shape{index}.gguf", shape, rank_head=True, q8_0=True
            )
            reranker = GGUFReranker(str(model), Path(folder))
            reranker.score("alpha", ["beta"])  # load it first
            seconds = []
            for _ in range(RUNS):
                passages = [text(PASSAGE_TOKENS) for _ in range(depth)]
                started = time.perf_counter()
                reranker.score(text(QUESTION_TOKENS), passages)
                seconds.append(time.perf_counter() - started)
            per_search = statistics.median(seconds)
            tokens = depth * (PASSAGE_TOKENS + QUESTION_TOKENS + 3)
            rows.append([label, f"{per_search:.1f}", f"{tokens / per_search:.0f}"])
            del reranker
            model.unlink()
    return rows


def _cost_table(shape_rows: list[list[object]], depth: int) -> list[str]:
    return [
        f"What the stage costs one search here: llama.cpp in process (`gguf:`) reading {depth} "
        f"passages of {PASSAGE_TOKENS} tokens with a {QUESTION_TOKENS}-token question, with "
        "Q8_0 models of real rerankers' shapes and random weights (the same arithmetic), "
        f"median of {RUNS} searches.",
        table(["model shape", "s per search", "tokens/s"], shape_rows),
    ]


def measure(
    library: Library, rerankers: Sequence[tuple[str, Reranker]], depth: int
) -> tuple[list[list[object]], list[str]]:
    """Recall rows for the library's own hybrid search, then with each reranker; and a line for
    each reranker that failed (the others' numbers still count)."""
    questions = load_questions(QUESTIONS)
    mapping, tokens, _, _ = prepared(library)
    plain = library.searcher
    rows = [recall_row("hybrid", run_mode(_search(plain), questions, mapping, tokens))]
    failed = []
    for label, reranker in rerankers:
        reranked = Searcher(
            library.store,
            plain.embedder,
            plain.fusion,
            cache_dir=library.settings.home / "cache",
            word_embedder=library.word_embedder,
            reranker=reranker,
            rerank_depth=depth,
        )
        try:
            outcomes = run_mode(_search(reranked), questions, mapping, tokens)
        except PapershelfError as exc:
            print(f"bench_rerankers: {label} failed: {exc}")
            failed.append(f"'{label}' failed: {exc}.")
            continue
        rows.append(recall_row(f"hybrid + {label}, depth {depth}", outcomes))
    return rows, failed


def _search(searcher: Searcher):  # type: ignore[no-untyped-def]
    return lambda query, limit: searcher.search(query, limit=limit)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reranker",
        action="append",
        default=[],
        help="a reranker (gguf:..., api:...); repeat to compare several",
    )
    parser.add_argument(
        "--label", action="append", default=[], help="each reranker's name, in order"
    )
    parser.add_argument("--depth", type=int, default=20, help="candidates each reranker reads")
    parser.add_argument("--home", type=Path, help="folder for the built-in library, kept")
    parser.add_argument(
        "--no-cost", action="store_true", help="do not measure the cost of model shapes"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = args.reranker or [
        name for name in [os.environ.get("PAPERSHELF_BENCH_RERANKER", "")] if name
    ]
    if len(args.label) > len(names):
        raise SystemExit(f"{len(args.label)} labels for {len(names)} rerankers")
    if args.depth < 1:
        raise SystemExit(f"--depth must be at least 1, not {args.depth}")
    if not names and args.no_cost:
        print(
            "bench_rerankers: no reranker to measure; pass --reranker gguf:<file> or "
            "api:<model> (or set PAPERSHELF_BENCH_RERANKER), e.g. bge-reranker-v2-m3. "
            "Nothing written."
        )
        return
    if names and not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    parts = [] if args.no_cost else _cost_table(cost_rows(args.depth), args.depth)
    if names:
        parts += _recall_table(names, args)
    else:
        parts += ["No reranking model was named (`--reranker`), so no recall was measured here."]
    body = "\n\n".join(["## Rerankers (bench/bench_rerankers.py)", *parts])
    print(body)
    if not args.no_write:
        write_section(SECTION, body)


def _recall_table(names: list[str], args: argparse.Namespace) -> list[str]:
    labels = [*args.label, *names[len(args.label) :]]
    home = args.home or Path(tempfile.mkdtemp(prefix="papershelf-bench-rerankers-"))
    settings = Settings(home=home)
    rerankers = []
    for name in names:
        made = make_reranker(settings.model_copy(update={"reranker": name}))
        if made is None:
            raise SystemExit(f"{name!r} names no reranker")
        rerankers.append(made)
    with Library(settings) as library:
        rows, failed = measure(library, list(zip(labels, rerankers, strict=True)), args.depth)
    if args.home is None:
        shutil.rmtree(home, ignore_errors=True)
    described = " ".join(
        f"'{label}' is `{name}`." for label, name in zip(labels, names, strict=True)
    )
    return [
        f"The questions of bench/eval/questions.jsonl, recall@1 / 5 / 10, with the built-in "
        f"embedder; each reranker orders the first {args.depth} candidates of the same "
        f"hybrid search. {described} {' '.join(failed)}".rstrip(),
        table(["search", *[name for name, _ in SUBSETS], "median ms"], rows),
    ]


if __name__ == "__main__":
    main()
