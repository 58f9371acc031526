"""Search latency by library size (10^3, 10^4, 10^5 passages), embedding throughput, and the time
to index ../shared/corpus with the default embedder.

The scale libraries are synthetic: papers of 100 passages whose text is sentences of the real
corpus drawn at random (English and Chinese, so FTS posting lists look like real ones) and whose
vectors are the real vectors of those sentences' source passages, perturbed (embedding 10^5
passages for real would take ~1 h on 2 cores and would not change a brute-force search's cost).
The lexicon's words are embedded for real. Queries are the evaluation set's questions.

Every question is asked once per mode and the embedder keeps no query vectors, so no measured
search reuses an earlier one's work (a host repeating a question would be served faster).

Run: python -m bench.bench_search_scale [--sizes 1000 10000 100000] [--keep DIR] [--no-write]
"""

import argparse
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.eval.check_evidence import QUESTIONS, load_questions
from bench.report import CORPUS, load_average, median, percentile, table, write_section
from papershelf.core.models import Document, Paper, Passage
from papershelf.core.settings import Settings
from papershelf.embeddings import universal
from papershelf.embeddings.base import unit_rows
from papershelf.library import Library
from papershelf.search.dense import DenseIndex
from papershelf.search.hybrid import SearchMode
from papershelf.search.indexing import embedding_text, vector_space
from papershelf.search.lexicon import embed_missing_terms
from papershelf.storage.base import Store
from papershelf.storage.sqlite_held_index import forget_indexes, forget_phrases

PASSAGES_PER_PAPER = 100
TARGET_SIZE, TARGET_P50_MS, TARGET_P99_MS = 100_000, 50.0, 200.0  # issue 4
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


def synthetic_documents(
    count: int, sentences: list[str], matrix: np.ndarray, owners: list[int]
) -> list[tuple[Document, np.ndarray]]:
    """`count` passages of synthetic 100-passage papers made of real corpus sentences, each passage
    with a perturbed real vector (seeded: a smaller count gives a prefix of a larger one's papers)."""
    rng = np.random.default_rng(2026)
    papers = []
    for number in range(count // PASSAGES_PER_PAPER):
        paper_id = f"doc:{number:012x}"
        passages, rows, offset = [], [], 0
        for ordinal in range(PASSAGES_PER_PAPER):
            chosen = rng.integers(0, len(sentences), 8)
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
            rows.append(matrix[owners[chosen[0]]])
            offset += len(text) + 1
        vectors = unit_rows(np.array(rows) + rng.normal(0, 0.05, (len(rows), matrix.shape[1])))
        paper = Paper(
            id=paper_id, source="text", title=f"Synthetic paper {number}", content_sha256=paper_id
        )
        content = "\n".join(p.text for p in passages)
        papers.append((Document(paper=paper, content=content, passages=passages), vectors))
    return papers


def ingest_synthetic(store: Store, space: str, papers: list[tuple[Document, np.ndarray]]) -> float:
    """Write the papers and their vectors; passages per second."""
    started = time.perf_counter()
    for document, vectors in papers:
        store.put(document)
        pending = store.passages_missing_vectors(
            space, limit=len(document.passages), paper_ids=[document.paper.id]
        )
        store.set_vectors(space, [p.key for p in pending], vectors)
    return sum(len(d.passages) for d, _ in papers) / (time.perf_counter() - started)


def build_scale_library(
    size: int, sentences: list[str], matrix: np.ndarray, owners: list[int], keep: Path | None = None
) -> Library:
    """The synthetic library of `size` passages (built the same way every time: seeded), reused
    from `keep` when a complete one is there."""
    home = keep / str(size) if keep else Path(tempfile.mkdtemp(prefix=f"papershelf-scale-{size}-"))
    library = Library(Settings(home=home))
    assert library.embedder is not None
    stored = library.store.count_missing_vectors("nothing-has-this-id")  # every passage
    if (
        keep
        and stored == size
        and not library.store.count_missing_vectors(vector_space(library.embedder))
    ):
        return library
    if stored:
        raise SystemExit(f"{home} holds an incomplete scale library: delete it and run again")
    space = vector_space(library.embedder)
    ingest_synthetic(library.store, space, synthetic_documents(size, sentences, matrix, owners))
    words = library.word_embedder or library.embedder
    embed_missing_terms(library.store, words, vector_space(words))
    return library


def mode_latencies(library: Library, queries: list[str], mode: str) -> list[float]:
    """Milliseconds of each question's search, after one that loads the vectors and lexicon."""
    library.search(queries[0], mode=mode)
    times = []
    for query in queries:
        started = time.perf_counter()
        library.search(query, limit=5, mode=mode)
        times.append((time.perf_counter() - started) * 1000)
    return times


def latencies(library: Library, queries: list[str]) -> dict[str, list[float]]:
    result: dict[str, list[float]] = {}
    for mode in MODES:
        forget_phrases()  # no mode starts with the phrase counts of another mode's questions
        result[mode] = mode_latencies(library, queries, mode)
    return result


def first_lexical_ms(library: Library, query: str) -> float:
    """A lexical search that reads the library's postings into memory."""
    forget_indexes()
    started = time.perf_counter()
    library.search(query, mode="lexical")
    return (time.perf_counter() - started) * 1000


def search_after_writes_ms(
    library: Library, extra: tuple[Document, np.ndarray], query: str
) -> dict[str, float]:
    """Searches right after writes, each the first to see them: a lexical one after a paper is
    added with its vectors (its passages are read alone), a hybrid one after it (the vectors
    added since are read, the lexicon's words listed), then a lexical and a hybrid one after the
    paper is removed again (its lexical rows are masked; the embedder's keys are listed and the
    kept rows gathered). The library is left as it was."""
    assert library.embedder is not None
    library.search(query, mode="hybrid")
    ingest_synthetic(library.store, vector_space(library.embedder), [extra])
    timings: dict[str, float] = {}

    def timed(label: str, mode: SearchMode) -> None:
        started = time.perf_counter()
        library.search(query, mode=mode)
        timings[label] = (time.perf_counter() - started) * 1000

    timed("added", "lexical")
    timed("added hybrid", "hybrid")
    library.store.remove(extra[0].paper.id)
    timed("removed", "lexical")
    timed("removed hybrid", "hybrid")
    return timings


def shortlist_agreement(library: Library, queries: list[str], depth: int = 50) -> float:
    """Percent of the exact product's `depth` nearest passages that dense search returns (100 where
    the library is small enough for the exact product alone)."""
    assert library.embedder is not None
    space = vector_space(library.embedder)
    index = DenseIndex(library.store, space)
    vectors = library.store.vectors(space)
    assert vectors is not None
    found = wanted = 0
    for query in queries:
        vector = library.embedder.embed_query(query)
        exact = np.argpartition(-(vectors.matrix @ vector), depth - 1)[:depth]
        returned = {key for key, _ in index.search(vector, depth)}
        found += len(returned & {int(vectors.keys[i]) for i in exact})
        wanted += depth
    return 100 * found / wanted


def verdicts(hybrid_times: dict[int, list[float]]) -> str:
    """The targets (hybrid p50 and p99 at 10^5 passages) against the run, when it reached 10^5."""
    times = hybrid_times.get(TARGET_SIZE)
    if times is None:
        return ""
    rows = [
        [name, value, f"at most {limit:g}", "met" if value <= limit else "NOT met"]
        for name, value, limit in (
            (f"hybrid p50 ms at {TARGET_SIZE:,}", median(times), TARGET_P50_MS),
            (f"hybrid p99 ms at {TARGET_SIZE:,}", percentile(times, 99), TARGET_P99_MS),
        )
    ]
    return "\n\nTargets:\n\n" + table(["target", "value", "limit", "status"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the scale libraries here")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started_load = load_average()
    universal.CACHED_INPUTS = 0  # every search embeds its question: first-ask latency
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
    hybrid_times: dict[int, list[float]] = {}
    for size in args.sizes:
        started = time.perf_counter()
        library = build_scale_library(size, sentences, matrix, owners, args.keep)
        built = time.perf_counter() - started
        started = time.perf_counter()
        library.search(queries[0], mode="dense")
        load_ms = (time.perf_counter() - started) * 1000
        postings_ms = first_lexical_ms(library, queries[0])
        for mode, times in latencies(library, queries).items():
            if mode == "hybrid":
                hybrid_times[size] = times
            rows.append([size, mode, median(times), percentile(times, 99), max(times)])
            print(
                f"{size:>7} {mode:8} p50 {median(times):6.1f} ms  p99 {percentile(times, 99):6.1f} ms"
            )
        agreement = shortlist_agreement(library, queries)
        rows.append([size, "dense: % of the exact top 50 returned", agreement, "", ""])
        rows.append([size, "first search (loads vectors)", load_ms, "", ""])
        rows.append([size, "first lexical search (loads postings)", postings_ms, "", ""])
        extra = synthetic_documents(size + PASSAGES_PER_PAPER, sentences, matrix, owners)[-1]
        writes = search_after_writes_ms(library, extra, queries[0])
        rows += [
            [size, "lexical search after adding a paper", writes["added"], "", ""],
            [
                size,
                "then a hybrid search (reads the added vectors)",
                writes["added hybrid"],
                "",
                "",
            ],
            [size, "lexical search after removing one", writes["removed"], "", ""],
            [size, "then a hybrid search (lists the keys)", writes["removed hybrid"], "", ""],
        ]
        print(
            f"{size:>7} built in {built:.0f} s, first dense search {load_ms:.0f} ms, "
            f"first lexical {postings_ms:.0f} ms, after an add {writes['added']:.0f} ms "
            f"(hybrid {writes['added hybrid']:.0f} ms), after a removal {writes['removed']:.0f} ms "
            f"(hybrid {writes['removed hybrid']:.0f} ms), dense top 50 {agreement:.2f}% exact"
        )
        library.close()

    body = (
        "## Search latency by size (`bench/bench_search_scale.py`)\n\n"
        f"Synthetic libraries of {PASSAGES_PER_PAPER}-passage papers made of real corpus sentences, "
        "with perturbed real vectors (USE, 512 dimensions, float32; scored by brute force up to 20,000 "
        "passages, past that over a shortlist chosen in 128 principal directions); the lexicon's words "
        f"embedded for real. Queries: the {len(queries)} evaluation questions (56% Chinese), "
        "`Library.search(limit=5)`, after one warm-up search; each question asked once per mode, "
        "query vectors never reused. Lexical search scores over in-memory postings (read once per library, then only the passages added since). Load average (1 min) when the run started: "
        f"{started_load}.\n\n"
        + table(["passages", "mode", "p50 ms", "p99 ms", "max ms"], rows)
        + verdicts(hybrid_times)
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
