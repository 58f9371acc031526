"""The MCP server's cost: tool-call latency of search_papers in memory, over stdio and over
Streamable HTTP; HTTP throughput at concurrency 1, 8 and 32 on loopback; tokens returned per
call; and the size of the tool definitions. The library holds about 10^4 passages: the shared
corpus, the tutorial's export, and synthetic papers recombined from the corpus's own passages.

Run: python -m bench.bench_mcp [--passages 10000] [--calls 300] [--home DIR]
"""

import argparse
import asyncio
import json
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from mcp import Client, StdioServerParameters

from bench.report import CORPUS, machine, median, percentile, table, write_section
from papershelf.core.settings import Settings
from papershelf.core.tokens import count_tokens
from papershelf.library import Library
from papershelf.server.app import build_server
from papershelf.server.schema import definition_tokens
from papershelf.server.security import WritePolicy

QUERIES = [
    "pixel shuffle visual tokens",
    "stereo matching foundation model zero-shot",
    "batch normalization internal covariate shift",
    "SmolVLM有哪些技术优势?",
    "residual learning very deep networks",
    "attention non-local operation video",
    "memory efficient training optimizer states",
    "synthetic data generation domain randomization",
]
TARGETS = {"in-memory p50 ms": 20.0, "HTTP overhead p50 ms": 5.0, "calls/s at concurrency 8": 200.0}
SERVE_CODE = (
    "import sys; from papershelf.library import Library; from papershelf.server.app import serve; "
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


async def timed_calls(client: Client, calls: int) -> list[float]:
    latencies = []
    for i in range(calls):
        started = time.perf_counter()
        result = await client.call_tool("search_papers", {"query": QUERIES[i % len(QUERIES)]})
        latencies.append((time.perf_counter() - started) * 1000)
        assert not result.is_error, result.content
    return latencies


async def in_memory(library: Library, calls: int) -> list[float]:
    async with Client(build_server(library)) as client:
        await timed_calls(client, 10)
        return await timed_calls(client, calls)


async def over_stdio(home: Path, calls: int, env: dict[str, str]) -> list[float]:
    env = {**env, "PAPERSHELF_HOME": str(home)}
    params = StdioServerParameters(
        command=sys.executable, args=["-c", SERVE_CODE, "stdio", "0", "1"], env=env
    )
    async with Client(params) as client:
        await timed_calls(client, 10)
        return await timed_calls(client, calls)


async def over_http(url: str, calls: int) -> list[float]:
    async with Client(url, mode="2026-07-28") as client:
        await timed_calls(client, 10)
        return await timed_calls(client, calls)


def request_body(i: int) -> bytes:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    params = {
        "name": "search_papers",
        "arguments": {"query": QUERIES[i % len(QUERIES)]},
        "_meta": meta,
    }
    return json.dumps(
        {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params}
    ).encode()


async def throughput(url: str, concurrency: int, calls: int) -> tuple[float, int, list[float]]:
    """Calls per second with `concurrency` requests in flight, the errors, and the latencies."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Mcp-Name": "search_papers",
    }
    bodies = [request_body(i) for i in range(calls)]
    errors = 0
    latencies: list[float] = []

    async def worker(http: httpx.AsyncClient, queue: Iterator[int]) -> None:
        nonlocal errors
        for i in queue:
            started = time.perf_counter()
            response = await http.post(url, content=bodies[i], headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            payload = response.json() if response.status_code == 200 else {}
            if "result" not in payload or payload["result"].get("isError"):
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        warm_up = iter(range(min(calls, 4 * concurrency)))
        await asyncio.gather(*(worker(http, warm_up) for _ in range(concurrency)))
        latencies.clear()
        errors = 0
        queue = iter(range(calls))
        started = time.perf_counter()
        await asyncio.gather(*(worker(http, queue) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return calls / elapsed, errors, latencies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_http(home: Path, env: dict[str, str], workers: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**env, "PAPERSHELF_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_CODE, "http", str(port), str(workers)],
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
    home: Path, mode: str, calls: int, levels: tuple[int, ...], workers: tuple[int, ...]
) -> dict:
    """Latency per transport, and HTTP throughput per number of server processes, for one mode."""
    embedder = "none" if mode == "lexical" else Settings().embedder
    env = {**os.environ, "PAPERSHELF_EMBEDDER": embedder}
    library = Library(Settings(home=home, embedder=embedder))
    memory = await in_memory(library, calls)
    library.close()
    print(f"{mode}: in memory p50 {median(memory):.2f} ms", flush=True)
    stdio = await over_stdio(home, calls, env)
    print(f"{mode}: stdio p50 {median(stdio):.2f} ms", flush=True)
    loads = []
    http: list[float] = []
    for count in workers:
        process, url = start_http(home, env, count)
        try:
            if count == 1:
                http = await over_http(url, calls)
                print(f"{mode}: http p50 {median(http):.2f} ms", flush=True)
            for concurrency in levels:
                await throughput(url, concurrency, 8 * concurrency)  # every worker warmed up
                rate, errors, latencies = await throughput(
                    url, concurrency, max(calls, 25 * concurrency)
                )
                loads.append(
                    [
                        mode,
                        count,
                        concurrency,
                        rate,
                        errors,
                        median(latencies),
                        percentile(latencies, 99),
                    ]
                )
                print(
                    f"{mode}: {count} workers, concurrency {concurrency}: {rate:.0f} calls/s, {errors} errors",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"memory": memory, "stdio": stdio, "http": http, "loads": loads}


async def run(args: argparse.Namespace) -> str:
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="papershelf-bench-mcp-"))
    print(f"library in {home} ...", flush=True)
    library = build_library(home, args.passages)
    passages = stored_passages(library)
    papers = library.count()
    print(f"{papers} papers, {passages} passages", flush=True)

    async with Client(build_server(library)) as client:
        default_tools = (await client.list_tools()).tools
    async with Client(build_server(library, write_policy=WritePolicy())) as client:
        all_tools = (await client.list_tools()).tools
    tokens = await tokens_per_call(library)
    library.close()

    lexical = await measure_mode(home, "lexical", args.calls, (1, 8, 32), (1, 2))
    hybrid = await measure_mode(home, "hybrid", max(args.calls // 4, 30), (1, 8), (1,))

    latency_rows = []
    for mode, found in (("lexical", lexical), ("hybrid", hybrid)):
        base = median(found["memory"])
        for name, key in (("in memory", "memory"), ("stdio", "stdio"), ("Streamable HTTP", "http")):
            values = found[key]
            latency_rows.append(
                [mode, name, median(values), percentile(values, 99), median(values) - base]
            )
    results = {
        "in-memory p50 ms": median(lexical["memory"]),
        "HTTP overhead p50 ms": median(lexical["http"]) - median(lexical["memory"]),
        "calls/s at concurrency 8": max(row[3] for row in lexical["loads"] if row[2] == 8),
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
            f"recombined from corpus passages). `search_papers` calls cycle {len(QUERIES)} queries "
            f"(English and Chinese); client and server share the machine's cores. Modes: {modes}.",
            "Latency of one `search_papers` call (ms):",
            table(["mode", "transport", "p50", "p99", "added to in-memory p50"], latency_rows),
            "Streamable HTTP throughput (stateless 2026-07-28 requests over loopback; `serve "
            "--workers N` server processes; the load generator runs on the same 2 cores):",
            table(
                ["mode", "workers", "concurrency", "calls/s", "errors", "p50 ms", "p99 ms"],
                lexical["loads"] + hybrid["loads"],
            ),
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
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=200)
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
