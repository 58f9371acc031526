"""The MongoDB store (on SecantusDB) against the SQLite store, side by side: ingest throughput and
search latency (lexical, hybrid) at 10^3 and 10^4 passages, and recall@5 on the evaluation set.

Recall: ../shared/corpus is ingested once into SQLite (real parsing and embedding), then copied to
MongoDB by `papershelf migrate`'s code (verified by checksums), so both backends hold the same
passages and vectors and differ only in how they store and select lexical candidates. Scale: the
synthetic libraries of bench_search_scale.py (100-passage papers of real corpus sentences with
perturbed real vectors), written by `put` + `set_vectors` into each backend: ingest throughput is
the store's cost, embedding excluded. The SecantusDB server runs in its own process, so client and
server do not share one interpreter.

Run: python bench/bench_backends.py [--sizes 1000 10000] [--no-write]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/bench_backends.py`


from bench.bench_retrieval import recall, run_mode, searcher
from bench.bench_search_scale import (
    PASSAGES_PER_PAPER,
    ingest_synthetic,
    mode_latencies,
    search_after_writes_ms,
    source_material,
    synthetic_documents,
)
from bench.eval.check_evidence import QUESTIONS, Question, ingest, load_questions
from bench.report import CORPUS, machine, median, percentile, table, write_section
from papershelf.core.errors import PapershelfError
from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.library_migrate import configured_embedder_ids, copy_library
from papershelf.search.indexing import vector_space
from papershelf.storage.base import Store
from papershelf.storage.sqlite_held_index import forget_indexes

BACKENDS = ("sqlite", "mongodb")
LATENCY_MODES = ("lexical", "hybrid")
RECALL_MODES = ("lexical", "dense", "hybrid")
# The server stops when its stdin closes: when this script ends, however it ends.
SERVER_SCRIPT = """
import sys
from secantus import SecantusDBServer
server = SecantusDBServer(storage_path=sys.argv[1])
server.start()
print(server.uri, flush=True)
sys.stdin.read()
server.stop()
"""


@contextmanager
def secantus_server(folder: Path) -> Iterator[str]:
    """A SecantusDB server in a child process; its URI."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        uri = process.stdout.readline().strip()
        if not uri.startswith("mongodb://"):
            raise SystemExit("the SecantusDB server did not start (pip install SecantusDB)")
        yield uri
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


class Backends:
    """Fresh libraries on either backend, each in its own home (SQLite) or database (MongoDB)."""

    def __init__(self, work: Path, mongo_uri: str):
        self.work = work
        self.mongo_uri = mongo_uri
        self.made = 0

    def library(self, backend: str) -> Library:
        self.made += 1
        home = self.work / f"home-{self.made}"
        if backend == "sqlite":
            return Library(Settings(home=home))
        return Library(Settings(home=home, store=self.mongo_uri, db_name=f"bench_{self.made}"))


def copy_term_vectors(source: Store, target: Store, space: str) -> None:
    """Give the target's lexicon the corpus's word vectors (its words are corpus words)."""
    words = source.term_vectors(space, min_df=1, limit=1_000_000)
    if words is not None and words.terms:
        target.set_term_vectors(space, words.terms, words.matrix)


def side_by_side(label: list[object], stats: dict[str, tuple[float, ...]]) -> list[object]:
    """The label columns, each backend's numbers (blank where it did not run), then the ratio
    MongoDB / SQLite of the first number."""
    width = len(stats["sqlite"])
    row = list(label)
    for backend in BACKENDS:
        row += list(stats[backend]) if backend in stats else [""] * width
    mongo, sqlite = stats.get("mongodb"), stats["sqlite"]
    row.append(mongo[0] / sqlite[0] if mongo is not None and sqlite[0] else "")
    return row


def first_lexical_ms(library: Library, query: str) -> float:
    """A lexical search that reads the store's postings into memory (each store holds its own)."""
    lexical = getattr(library.store, "_lexical", None)  # MongoStore's; SQLite's is module-held
    if lexical is not None:
        lexical.postings.forget()
    forget_indexes()
    started = time.perf_counter()
    library.search(query, mode="lexical")
    return (time.perf_counter() - started) * 1000


def copy_corpus(corpus: Library, backends: Backends) -> tuple[Library | None, str]:
    """The corpus library copied to MongoDB by `migrate`'s code, verified; and what happened."""
    try:
        library = backends.library("mongodb")
        started = time.perf_counter()
        copied = copy_library(corpus.store, library.store, configured_embedder_ids(corpus.settings))
    except PapershelfError as exc:
        return None, f"MongoDB backend not available: {exc}"
    if not copied.verified:
        raise SystemExit(f"the copy to MongoDB differs from the corpus library: {copied}")
    return library, (
        f"corpus copied SQLite -> MongoDB by `papershelf migrate`'s code ({copied.papers} papers, "
        f"{copied.passages} passages with vectors, checksums verified) in "
        f"{time.perf_counter() - started:.0f} s"
    )


def recall_rows(
    libraries: dict[str, Library], questions: list[Question], mapping: dict[str, str]
) -> tuple[list[list[object]], list[str]]:
    """Per mode: recall@5 and search latency on the real corpus for each backend; and the
    questions whose first relevant rank differs between the backends."""
    rows, differing = [], []
    for mode in RECALL_MODES:
        outcomes = {
            backend: run_mode(searcher(library, mode), questions, mapping, {})
            for backend, library in libraries.items()
        }
        stats = {
            backend: (recall(found, 5), median([o.seconds * 1000 for o in found]))
            for backend, found in outcomes.items()
        }
        row = side_by_side([mode], stats)
        rows.append(row)
        print(table(RECALL_HEADERS, [row]))
        if "mongodb" in outcomes:
            differing += [
                f"{mode} {a.question.id}: rank {a.rank} on SQLite, {b.rank} on MongoDB"
                for a, b in zip(outcomes["sqlite"], outcomes["mongodb"], strict=True)
                if a.rank != b.rank
            ]
    return rows, differing


def scale_rows(
    libraries: dict[str, Library], sizes: list[int], corpus: Library, queries: list[str]
) -> tuple[list[list[object]], list[list[object]]]:
    """Per size: ingest throughput, latency per search mode, and the cost of reading the lexical
    index (whole, and after one paper is added or removed), for each backend. Each backend's
    library grows from one size to the next (the smaller set is a prefix of the larger)."""
    space = vector_space(corpus.embedder)  # type: ignore[arg-type]
    word_space = vector_space(corpus.word_embedder)  # type: ignore[arg-type]
    material = source_material(corpus)
    papers = synthetic_documents(max(sizes) + PASSAGES_PER_PAPER, *material)
    extra = papers.pop()
    ingest, latency, reads = [], [], []
    done = 0
    for size in sorted(sizes):
        added = papers[done // PASSAGES_PER_PAPER : size // PASSAGES_PER_PAPER]
        speed: dict[str, float] = {}
        read: dict[str, tuple[float, ...]] = {}
        times: dict[tuple[str, str], list[float]] = {}
        for backend, library in libraries.items():
            speed[backend] = ingest_synthetic(library.store, space, added)
            copy_term_vectors(corpus.store, library.store, word_space)
            for mode in LATENCY_MODES:
                times[backend, mode] = mode_latencies(library, queries, mode)
            first = first_lexical_ms(library, queries[0])
            writes = search_after_writes_ms(library, extra, queries[0])
            read[backend] = (first, *(writes[label] for label in AFTER_WRITES))
            print(f"{size:>6} passages {backend:8} ingest {speed[backend]:7.0f} passages/s")
        done = size
        ingest.append(side_by_side([size], {b: (speed[b],) for b in speed}))
        reads.append(side_by_side([size], read))
        for mode in LATENCY_MODES:
            stats = {
                backend: (median(times[backend, mode]), percentile(times[backend, mode], 99))
                for backend in libraries
            }
            row = side_by_side([size, mode], stats)
            latency.append(row)
            print(table(LATENCY_HEADERS, [row]))
    return ingest, latency, reads


RECALL_HEADERS = [
    "mode",
    "SQLite R@5",
    "SQLite ms p50",
    "MongoDB R@5",
    "MongoDB ms p50",
    "R@5 ratio",
]
# The searches after writes (bench_search_scale.search_after_writes_ms), in its order.
AFTER_WRITES = ["added", "added hybrid", "removed", "removed hybrid"]
READ_HEADERS = [
    "passages",
    *(
        f"{backend} {stage}"
        for backend in ("SQLite", "MongoDB")
        for stage in ["whole", *AFTER_WRITES]
    ),
    "whole ratio",
]
LATENCY_HEADERS = [
    "passages",
    "mode",
    "SQLite p50",
    "SQLite p99",
    "MongoDB p50",
    "MongoDB p99",
    "p50 ratio",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument(
        "--queries", type=int, default=40, help="evaluation questions timed per size and mode"
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    began = time.perf_counter()
    print(f"machine: {machine()}")
    questions = load_questions(QUESTIONS)
    step = max(1, len(questions) // max(1, args.queries))
    timed = [q.question for q in questions[::step]][: args.queries]
    work = Path(tempfile.mkdtemp(prefix="papershelf-backends-"))
    with secantus_server(work / "secantus") as mongo_uri:
        backends = Backends(work, mongo_uri)
        corpus = backends.library("sqlite")
        started = time.perf_counter()
        mapping, failures = ingest(corpus, CORPUS)
        seconds = time.perf_counter() - started
        notes = [f"corpus ingested into SQLite (parsing and embedding) in {seconds:.0f} s"]
        notes += [f"not ingested: {line.split(';')[0]}" for line in failures]
        mongo, note = copy_corpus(corpus, backends)
        notes.append(note)
        print("\n".join(notes))
        libraries = {"sqlite": corpus} | ({"mongodb": mongo} if mongo else {})
        recall_table, differing = recall_rows(libraries, questions, mapping)
        scaled = {backend: backends.library(backend) for backend in libraries}
        ingest_table, latency_table, read_table = scale_rows(scaled, args.sizes, corpus, timed)
        for library in [*libraries.values(), *scaled.values()]:
            library.close()
    minutes = (time.perf_counter() - began) / 60
    body = (
        "## Backends: SQLite vs MongoDB on SecantusDB (`bench/bench_backends.py`)\n\n"
        "MongoDB numbers are from SecantusDB (a MongoDB wire-protocol server written in Python, run "
        "in its own process on the same machine), not from a real mongod: they measure papershelf's "
        "MongoDB code paths over the wire protocol plus a Python server, and say little about what "
        "a mongod would do. Ratio = MongoDB / SQLite.\n\n"
        f"### Recall@5 and search latency on ../shared/corpus ({len(questions)} evaluation "
        "questions; the MongoDB library is the SQLite one copied by `migrate`)\n\n"
        + table(RECALL_HEADERS, recall_table)
        + "\n\n### Ingest throughput (passages/s; `put` + `set_vectors`, embedding excluded)\n\n"
        + table(["passages", "SQLite", "MongoDB", "ratio"], ingest_table)
        + f"\n\n### Search latency by size (ms; `Library.search(limit=5)`, {len(timed)} of the "
        "evaluation questions, after one warm-up search per mode)\n\n"
        + table(LATENCY_HEADERS, latency_table)
        + "\n\n### Searches after writes (ms; one lexical search that reads the lexical index "
        "whole, then a lexical and a hybrid search after a 100-passage paper is added with its "
        "vectors, then both after it is removed again: each the first to see the write)\n\n"
        + table(READ_HEADERS, read_table)
        + "\n\n"
        + "\n".join(f"- {note}" for note in notes)
        + f"\n- questions ranked differently by the two backends: {len(differing)}"
        + (
            f" ({'; '.join(differing[:8])}{' ...' if len(differing) > 8 else ''})"
            if differing
            else ""
        )
        + f"\n- whole run: {minutes:.0f} min\n"
    )
    print(body)
    if not args.no_write:
        write_section("backends", body)


if __name__ == "__main__":
    main()
