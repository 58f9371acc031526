"""The MCP server's cost: tool-call latency of search_papers called in process with no client,
through the official SDK client in memory, over stdio and over Streamable HTTP, and from a plain
HTTP client; HTTP throughput at concurrency 1, 8 and 32 on loopback; tokens returned per
call; and the size of the tool definitions. The library holds about 10^4 passages: the shared
corpus, the tutorial's export, and synthetic papers recombined from the corpus's own passages.
Queries are the evaluation set's questions (bench/eval/questions.jsonl), each asked twice per
latency run with the second timed: a question's passages are read once per process (a fresh
server must not start behind the bench's own process), and query vectors are never reused.

Throughput is measured with `wrk` (Debian package `wrk`) when it is installed: a C load generator
that leaves the cores to the server. Without it the bench falls back to a Python client, which
competes with the server for the same cores, and says so.

Run: python -m bench.bench_mcp [--passages 10000] [--seconds 10] [--home DIR]
"""

import argparse
import asyncio
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from bench.eval.check_evidence import QUESTIONS, load_questions
from bench.mcp_load import plain_latencies, throughput, wrk_script
from bench.report import CORPUS, machine, median, percentile, table, write_section
from papershelf.core.settings import Settings
from papershelf.core.tokens import count_tokens
from papershelf.embeddings import universal
from papershelf.library import Library
from papershelf.server.app import build_server, one_blas_thread
from papershelf.server.schema import definition_tokens
from papershelf.server.security import WritePolicy

# Warm-up queries, outside the measured set (English and Chinese).
WARM_UP = [
    "pixel shuffle visual tokens",
    "stereo matching foundation model zero-shot",
    "SmolVLM有哪些技术优势?",
    "memory efficient training optimizer states",
]
QUERIES = [q.question for q in load_questions(QUESTIONS)]
FIRST_PASS = WARM_UP + QUERIES
CORES = os.cpu_count() or 1
TARGETS = {
    "in-memory p50 ms": 20.0,
    "HTTP overhead p50 ms (Python SDK client)": 5.0,
    "HTTP overhead p50 ms (plain HTTP client)": 5.0,
    "calls/s at concurrency 8": 200.0,
}
# argv: transport, port, workers, query vectors kept by the embedder (0: none, every call encodes;
# `--workers` processes start afresh and keep the default).
SERVE_CODE = (
    "import sys; import papershelf.embeddings.universal as u; u.CACHED_INPUTS = int(sys.argv[4]); "
    "from papershelf.library import Library; from papershelf.server.app import serve; "
    "serve(Library(), sys.argv[1], port=int(sys.argv[2]), workers=int(sys.argv[3]))"
)


def build_library(home: Path, passages: int) -> Library:
    """The bench library: the corpus and the tutorial export, then synthetic papers made of the
    corpus's passages in new orders until `passages` passages are stored (reused when present)."""
    library = Library(Settings(home=home))
    have = stored_passages(library)
    if have >= passages:
        return library
    if have == 0:
        documents = sorted((CORPUS / "pdf").glob("*.pdf"))
        documents += sorted(p for p in (CORPUS / "docs").iterdir() if p.suffix in (".md", ".txt"))
        inputs = [str(p) for p in documents]
        library.add(inputs)
        export = CORPUS / "docs" / "essay_database.ai_essay.json"
        if export.exists():
            library.import_tutorial(export)
    texts = [
        p.text
        for paper in library.iter_papers()
        for p in library.get_document(paper.id).passages
        if p.tokens > 80
    ]
    rng = random.Random(7)
    synthetic = home / "synthetic"
    synthetic.mkdir(exist_ok=True)
    number = 0
    while (have := stored_passages(library)) < passages:
        batch = []
        for _ in range(max(1, min(20, (passages - have) // 150 + 1))):
            number += 1
            sections = []
            for section in range(1, 11):
                body = "\n\n".join(rng.sample(texts, 15))
                sections.append(f"## {section} Part {section} of study {number}\n\n{body}")
            path = synthetic / f"study-{number:04d}.md"
            path.write_text(
                f"# Synthetic Study {number}\n\nBench Author {number}\n\n" + "\n\n".join(sections)
            )
            batch.append(str(path))
        library.add(batch)
    return library


def stored_passages(library: Library) -> int:
    return sum(len(library.get_document(p.id).passages) for p in library.iter_papers())


async def timed_calls(client: Client, queries: list[str]) -> list[float]:
    latencies = []
    for query in queries:
        started = time.perf_counter()
        result = await client.call_tool("search_papers", {"query": query})
        latencies.append((time.perf_counter() - started) * 1000)
        assert not result.is_error, result.content
    return latencies


async def second_pass(client: Client) -> list[float]:
    """Every question asked once unmeasured (the passages a question reads are read once per
    process, so a fresh server process would start behind the bench's own), then timed."""
    await timed_calls(client, FIRST_PASS)
    return await timed_calls(client, QUERIES)


async def in_memory(library: Library) -> list[float]:
    async with Client(build_server(library)) as client:
        return await second_pass(client)


async def no_client(library: Library) -> list[float]:
    """The tool called in process through MCPServer.call_tool: no client, no JSON-RPC, no
    transport; what a call costs the server before any transport adds to it."""
    server = build_server(library)
    latencies = []
    for query in FIRST_PASS + QUERIES:
        started = time.perf_counter()
        result = await server.call_tool("search_papers", {"query": query})
        latencies.append((time.perf_counter() - started) * 1000)
        assert isinstance(result, CallToolResult) and not result.is_error, result
    return latencies[len(FIRST_PASS) :]


async def over_stdio(home: Path, env: dict[str, str]) -> list[float]:
    env = {**env, "PAPERSHELF_HOME": str(home)}
    params = StdioServerParameters(
        command=sys.executable, args=["-c", SERVE_CODE, "stdio", "0", "1", "0"], env=env
    )
    async with Client(params) as client:
        return await second_pass(client)


async def over_http(url: str) -> list[float]:
    async with Client(url, mode="2026-07-28") as client:
        return await second_pass(client)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_http(
    home: Path, env: dict[str, str], workers: int = 1, cached: int = 0
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**env, "PAPERSHELF_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_CODE, "http", str(port), str(workers), str(cached)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the HTTP server did not start")


async def tokens_per_call(library: Library) -> list[list[object]]:
    async with Client(build_server(library)) as client:
        search = [
            count_tokens((await client.call_tool("search_papers", {"query": q})).content[0].text)
            for q in QUERIES
        ]
        papers = [p for p in library.iter_papers() if not p.title.startswith("Synthetic")]
        whole = [count_tokens(library.get_document(p.id).content) for p in papers]
        detail = [
            count_tokens((await client.call_tool("get_paper", {"paper_id": p.id})).content[0].text)
            for p in papers
        ]
        read = [
            count_tokens((await client.call_tool("read_paper", {"paper_id": p.id})).content[0].text)
            for p in papers
        ]
        db, collection = library.settings.db_name, library.settings.collection_name
        essay_ids = [p.legacy_id for p in papers if p.legacy_id]
        essays = [
            count_tokens(
                (
                    await client.call_tool(
                        "get_essay_content_from_id",
                        {"db_name": db, "collection_name": collection, "essay_id": essay_id},
                    )
                )
                .content[0]
                .text
            )
            for essay_id in essay_ids
        ]
    rows: list[list[object]] = [
        ["search_papers (default limit 5)", round(median(search)), max(search)],
        ["get_paper", round(median(detail)), max(detail)],
        ["read_paper (default max_tokens 3000)", round(median(read)), max(read)],
    ]
    if essays:
        rows.append(["get_essay_content_from_id (first part)", round(median(essays)), max(essays)])
    rows.append(
        ["a whole paper (what the tutorial's tool returned)", round(median(whole)), max(whole)]
    )
    return rows


MODES = {
    "lexical": "lexical retrieval only (PAPERSHELF_EMBEDDER=none): the MCP layer's own cost",
    "hybrid": "the default hybrid retrieval (query embedded by the built-in multilingual model)",
}


async def measure_mode(
    home: Path, mode: str, servers: list[tuple[int, int, tuple[int, ...]]], args: argparse.Namespace
) -> dict:
    """Latency per transport, and HTTP throughput per server setup (processes, query vectors the
    embedder keeps, concurrency levels), for one mode."""
    embedder = "none" if mode == "lexical" else Settings().embedder
    env = {**os.environ, "PAPERSHELF_EMBEDDER": embedder}
    library = Library(Settings(home=home, embedder=embedder))
    direct = await no_client(library)
    memory = await in_memory(library)
    library.close()
    print(
        f"{mode}: no client p50 {median(direct):.2f} ms, in memory p50 {median(memory):.2f} ms",
        flush=True,
    )
    stdio = await over_stdio(home, env)
    print(f"{mode}: stdio p50 {median(stdio):.2f} ms", flush=True)
    loads = []
    http: list[float] = []
    plain: list[float] = []
    for count, cached, levels in servers:
        process, url = start_http(home, env, count, cached)
        try:
            if not http:
                http = await over_http(url)
                plain = await plain_latencies(url, FIRST_PASS, QUERIES)
                print(
                    f"{mode}: http p50 {median(http):.2f} ms, plain client {median(plain):.2f} ms",
                    flush=True,
                )
            for level, concurrency in enumerate(levels):
                # A fresh server's workers load the embedder, the lexicon and the dictionary
                # (seconds each on 2 busy cores) on their first calls.
                warm_s = 3.0 if level else 20.0
                rate, errors, p50, p99, cost = await throughput(
                    url, concurrency, args.seconds, args.wrk, process.pid, warm_s, QUERIES
                )
                reuse = "n/a" if mode == "lexical" else ("yes" if cached else "no")
                capacity = "" if cost is None else min(count, CORES) * 1000 / cost
                loads.append(
                    [mode, reuse, count, concurrency, rate, errors, p50, p99, cost or "", capacity]
                )
                print(
                    f"{mode}: {count} workers, cache {reuse}, concurrency {concurrency}: "
                    f"{rate:.0f} calls/s, {errors} errors",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "direct": direct,
        "memory": memory,
        "stdio": stdio,
        "http": http,
        "plain": plain,
        "loads": loads,
    }


def projection(loads: list[list[object]]) -> str:
    """What the server's own CPU cost per call says about the concurrency-8 target."""
    costs = [row for row in loads if row[3] == 8 and isinstance(row[9], float)]
    if not costs:
        return "The server's CPU time could not be read here (not Linux): no projection."
    best = max(costs, key=lambda row: row[9])
    verdict = "would meet" if best[9] >= TARGETS["calls/s at concurrency 8"] else "would not meet"
    return (
        f"The status above is the measured rate. From the server's CPU time ({best[8]:.3g} ms per "
        f"call with {best[2]} workers), a server with the {CORES} cores to itself answers about "
        f"{best[9]:.0f} calls/s: it {verdict} the target without other work on the machine."
    )


async def run(args: argparse.Namespace) -> str:
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="papershelf-bench-mcp-"))
    print(f"library in {home} ...", flush=True)
    library = build_library(home, args.passages)
    one_blas_thread()  # as every server process does
    universal.CACHED_INPUTS = 0  # as the latency runs' servers: every question is embedded
    passages = stored_passages(library)
    papers = library.count()
    print(f"{papers} papers, {passages} passages", flush=True)

    async with Client(build_server(library)) as client:
        default_tools = (await client.list_tools()).tools
    async with Client(build_server(library, write_policy=WritePolicy())) as client:
        all_tools = (await client.list_tools()).tools
    tokens = await tokens_per_call(library)
    library.close()

    folder = Path(tempfile.mkdtemp(prefix="papershelf-bench-wrk-"))
    args.wrk = wrk_script(folder, QUERIES) if shutil.which("wrk") else None
    generator = (
        f"`wrk` (C, one thread), the {len(QUERIES)} questions in turn"
        if args.wrk
        else "a Python httpx client (wrk is not installed: `apt-get install wrk`), which competes "
        "with the server for the same cores, so the server's capacity is higher than shown"
    )
    print(f"load generator: {generator}", flush=True)
    lexical = await measure_mode(home, "lexical", [(1, 0, (1, 8, 32)), (2, 0, (1, 8, 32))], args)
    # Worker processes start afresh and keep the default query cache: only one process can do
    # without it.
    hybrid = await measure_mode(
        home, "hybrid", [(1, 0, (1, 8)), (1, 512, (8,)), (2, 512, (1, 8))], args
    )

    latency_rows = []
    for mode, found in (("lexical", lexical), ("hybrid", hybrid)):
        base = median(found["direct"])
        transports = (
            ("no client (MCPServer.call_tool)", "direct"),
            ("in memory (SDK client)", "memory"),
            ("stdio (SDK client)", "stdio"),
            ("Streamable HTTP (SDK client)", "http"),
            ("Streamable HTTP (plain HTTP client)", "plain"),
        )
        for name, key in transports:
            values = found[key]
            latency_rows.append(
                [mode, name, median(values), percentile(values, 99), median(values) - base]
            )
    results = {
        "in-memory p50 ms": median(lexical["memory"]),
        "HTTP overhead p50 ms (Python SDK client)": median(lexical["http"])
        - median(lexical["memory"]),
        "HTTP overhead p50 ms (plain HTTP client)": median(lexical["plain"])
        - median(lexical["direct"]),
        "calls/s at concurrency 8": max(row[4] for row in lexical["loads"] if row[3] == 8),
    }
    checks = [
        [
            name,
            f"{results[name]:.3g}",
            ("under " if "ms" in name else "at least ") + f"{target:g}",
            "met"
            if (results[name] < target if "ms" in name else results[name] >= target)
            else "NOT met",
        ]
        for name, target in TARGETS.items()
    ]
    modes = "; ".join(f"**{mode}**: {text}" for mode, text in MODES.items())
    return "\n\n".join(
        [
            "## MCP server (`bench/bench_mcp.py`)",
            f"Library: {papers} papers, {passages} passages (corpus, tutorial export, synthetic papers "
            f"recombined from corpus passages). `search_papers` queries: the {len(QUERIES)} "
            "evaluation questions (English and Chinese). Every latency run asks each question "
            "twice and times the second: the passages a question reads are read once per process, "
            "and a fresh server process must not start behind the bench's own; query vectors are "
            "never reused (the embedder keeps none). Client and server share the machine's "
            f"cores, and other work on the machine makes the numbers noisy. Modes: {modes}.",
            "Latency of one `search_papers` call (ms). 'no client' calls the tool in the server's "
            "process; 'SDK client' is the official Python SDK's `mcp.Client`; 'plain HTTP "
            "client' is httpx posting the JSON-RPC request and reading its JSON answer, as a "
            "lean host would, so the difference between the two HTTP rows is the Python SDK "
            "client's own work:",
            table(["mode", "transport", "p50", "p99", "added to no-client p50"], latency_rows),
            "Streamable HTTP throughput (stateless 2026-07-28 requests over loopback; `serve "
            f"--workers N` server processes; {args.seconds:g} s per row after a warm-up; load "
            f"generator: {generator}, on the same 2 cores; load runs 20 s on a fresh server "
            "before its first row, 3 s before the others). The questions repeat during a run: "
            "'query vectors reused' says whether the embedder kept the vectors of recent "
            "queries (its default; 'no' is the cost of a never-seen question every call):",
            table(
                [
                    "mode",
                    "query vectors reused",
                    "workers",
                    "concurrency",
                    "calls/s",
                    "errors",
                    "p50 ms",
                    "p99 ms",
                    "server CPU ms/call",
                    "calls/s if the server had its cores",
                ],
                lexical["loads"] + hybrid["loads"],
            ),
            "'server CPU ms/call' is the server processes' CPU time over the calls they answered, "
            "which other work on the machine barely changes; the last column divides the cores "
            "the server can use (its workers, at most the machine's) by it: what the server "
            "would answer with the machine to itself and a load generator elsewhere.",
            "Tokens returned per call (the text the model reads; median and max over the corpus papers):",
            table(["call", "median tokens", "max tokens"], tokens),
            "Tool definitions sent with every model request (name, description, input and output "
            "schema as in tools/list):",
            table(
                ["tool set", "tools", "tokens"],
                [
                    ["default", len(default_tools), definition_tokens(default_tools)],
                    ["with --allow-write", len(all_tools), definition_tokens(all_tools)],
                ],
            ),
            "Targets (2 cores, 10^4 passages; measured in lexical mode, since the query embedding "
            "belongs to retrieval, not to MCP):",
            table(["measure", "value", "target", "status"], checks),
            "HTTP overhead: with the Python SDK client, its HTTP row less its in-memory row (the "
            "client's own transport work included); with the plain HTTP client, its row less the "
            "no-client row (the client, loopback, uvicorn, the SDK's HTTP transport and JSON-RPC).",
            projection(lexical["loads"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10, help="per throughput row")
    parser.add_argument("--home", help="keep (and reuse) the bench library in this folder")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    print(machine())
    logging.basicConfig(level=logging.WARNING)  # before MCPServer would set INFO with rich output
    body = asyncio.run(run(args))
    print(body)
    write_section("mcp", body)


if __name__ == "__main__":
    main()
