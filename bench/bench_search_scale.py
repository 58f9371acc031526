"""Search latency by library size (10^3, 10^4, 10^5 passages), embedding throughput, and the time
to index ../shared/corpus with the default embedder.

The scale libraries are synthetic: papers of 100 passages whose text is sentences of the real
corpus drawn at random (English and Chinese, so FTS posting lists look like real ones) and whose
vectors are the real vectors of those sentences' source passages, perturbed (embedding 10^5
passages for real would take ~1 h on 2 cores and would not change a brute-force search's cost).
The lexicon's words are embedded for real. Queries are the evaluation set's 114 questions.

Run: python -m bench.bench_search_scale [--sizes 1000 10000 100000] [--no-write]
"""

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.eval.check_evidence import QUESTIONS, load_questions
from bench.report import CORPUS, median, percentile, table, write_section
from papershelf.core.models import Document, Paper, Passage
from papershelf.core.settings import Settings
from papershelf.embeddings.base import unit_rows
from papershelf.library import Library
from papershelf.search.indexing import embedding_text, vector_space
from papershelf.search.lexicon import embed_missing_terms

PASSAGES_PER_PAPER = 100
MODES = ("lexical", "dense", "hybrid")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


def index_corpus() -> tuple[Library, dict[str, float]]:
    """Ingest and embed the real corpus in a fresh library; the seconds each step took."""
    library = Library(Settings(home=Path(tempfile.mkdtemp(prefix="papershelf-scale-"))))
    files = [str(p) for p in sorted((CORPUS / "pdf").glob("*.pdf"))]
    files += [str(p) for p in sorted((CORPUS / "docs").iterdir()) if p.suffix in {".md", ".txt"}]
    timings: dict[str, float] = {}
    embedded: list[float] = []

    def clock(done: int, total: int) -> None:
        if total and done in (0, total):
            embedded.append(time.perf_counter())

    started = time.perf_counter()
    library.add(files, index_progress=clock)
    library.import_tutorial(CORPUS / "docs" / "essay_database.ai_essay.json", index_progress=clock)
    timings["total"] = time.perf_counter() - started
    # Passage embedding only: the lexicon's words follow each run without progress calls.
    timings["embedding"] = sum(b - a for a, b in zip(embedded[::2], embedded[1::2], strict=False))
    return library, timings


def embedding_throughput(library: Library, sample: int = 256) -> float:
    """Passages per second of the default embedder on real passages (title and heading included)."""
    assert library.embedder is not None
    pending = library.store.passages_missing_vectors("nothing-has-this-id", limit=sample)
    texts = [embedding_text(p) for p in pending]
    library.embedder.embed_documents(texts[:8])
    started = time.perf_counter()
    library.embedder.embed_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def source_material(library: Library) -> tuple[list[str], np.ndarray, list[int]]:
    """Sentences of the real corpus, the vectors of their passages, and which passage each is from."""
    assert library.embedder is not None
    vectors = library.store.vectors(vector_space(library.embedder))
    assert vectors is not None
    passages = library.store.get_passages(vectors.keys.tolist())
    row_of = {int(key): i for i, key in enumerate(vectors.keys)}
    sentences, owners = [], []
    for key, passage in passages.items():
        for sentence in _SENTENCE.split(passage.text):
            if len(sentence) > 20:
                sentences.append(sentence.strip())
                owners.append(row_of[key])
    return sentences, vectors.matrix, owners


def build_scale_library(
    size: int, sentences: list[str], matrix: np.ndarray, owners: list[int]
) -> Library:
    library = Library(Settings(home=Path(tempfile.mkdtemp(prefix=f"papershelf-scale-{size}-"))))
    assert library.embedder is not None
    space = vector_space(library.embedder)
    rng = random.Random(size)
    noise = np.random.default_rng(size)
    for number in range(size // PASSAGES_PER_PAPER):
        paper_id = f"doc:{number:012x}"
        passages, vectors, offset = [], [], 0
        for ordinal in range(PASSAGES_PER_PAPER):
            chosen = [rng.randrange(len(sentences)) for _ in range(8)]
            text = " ".join(sentences[i] for i in chosen)
            passages.append(
                Passage(
                    paper_id=paper_id,
                    ordinal=ordinal,
                    section=f"{ordinal // 10 + 1} Section",
                    char_start=offset,
                    char_end=offset + len(text),
                    text=text,
                    tokens=len(text) // 4,
                )
            )
            vectors.append(matrix[owners[chosen[0]]])
            offset += len(text) + 1
        content = "\n".join(p.text for p in passages)
        paper = Paper(
            id=paper_id, source="text", title=f"Synthetic paper {number}", content_sha256=paper_id
        )
        library.store.put(Document(paper=paper, content=content, passages=passages))
        keys = [
            p.key
            for p in library.store.passages_missing_vectors(
                space, limit=PASSAGES_PER_PAPER, paper_ids=[paper_id]
            )
        ]
        perturbed = unit_rows(
            np.array(vectors) + noise.normal(0, 0.05, (len(vectors), matrix.shape[1]))
        )
        library.store.set_vectors(space, keys, perturbed)
    embed_missing_terms(library.store, library.embedder, space)
    return library


def latencies(library: Library, queries: list[str]) -> dict[str, list[float]]:
    result: dict[str, list[float]] = {}
    for mode in MODES:
        library.search(queries[0], mode=mode)  # loads the matrix and the lexicon once
        times = []
        for query in queries:
            started = time.perf_counter()
            library.search(query, limit=5, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
        result[mode] = times
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    queries = [q.question for q in load_questions(QUESTIONS)]

    corpus_library, timings = index_corpus()
    passages = corpus_library.store.count_missing_vectors("nothing-has-this-id")  # all of them
    throughput = embedding_throughput(corpus_library)
    sentences, matrix, owners = source_material(corpus_library)
    corpus_library.close()
    print(
        f"corpus: {passages} passages indexed in {timings['total']:.0f} s "
        f"(embedding {timings['embedding']:.0f} s); {throughput:.1f} passages/s"
    )

    rows = []
    for size in args.sizes:
        started = time.perf_counter()
        library = build_scale_library(size, sentences, matrix, owners)
        built = time.perf_counter() - started
        started = time.perf_counter()
        library.search(queries[0], mode="dense")
        load_ms = (time.perf_counter() - started) * 1000
        for mode, times in latencies(library, queries).items():
            rows.append([size, mode, median(times), percentile(times, 99), max(times)])
            print(
                f"{size:>7} {mode:8} p50 {median(times):6.1f} ms  p99 {percentile(times, 99):6.1f} ms"
            )
        rows.append([size, "first search (loads vectors)", load_ms, "", ""])
        print(f"{size:>7} built in {built:.0f} s, first dense search {load_ms:.0f} ms")
        library.close()

    body = (
        "## Search latency by size (`bench/bench_search_scale.py`)\n\n"
        f"Synthetic libraries of {PASSAGES_PER_PAPER}-passage papers made of real corpus sentences, "
        "with perturbed real vectors (USE, 512 dimensions, float32, brute force); the lexicon's words "
        f"embedded for real. Queries: the {len(queries)} evaluation questions (56% Chinese), "
        "`Library.search(limit=5)`, after one warm-up search.\n\n"
        + table(["passages", "mode", "p50 ms", "p99 ms", "max ms"], rows)
        + "\n\n### Embedding and indexing (default embedder)\n\n"
        + table(
            ["what", "value"],
            [
                ["embedding throughput (passages/s, 256 real passages)", throughput],
                [
                    f"index ../shared/corpus: {passages} passages, ingest + embed (s)",
                    timings["total"],
                ],
                ["of which embedding passages (s)", timings["embedding"]],
            ],
        )
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("search-scale", body)


if __name__ == "__main__":
    main()
