"""The first question a fresh MCP server answers, with and without its warm-up (PAPERSHELF_WARM_UP),
and a one-shot `papershelf search` in a new process, with and without the parsed dictionary and
the embedder's tokenizer kept in the home's cache. The server:
a stdio server over the bench library of bench_mcp (the corpus, the tutorial export and synthetic
papers, about 10^4 passages) is started as a host starts it, the MCP handshake done, and after
`idle` seconds (0: a question sent at once; 10: a user typing one) an English and then a Chinese
question are asked, then a third question as the warm reference. Settings alternate run by run,
each question is new to its server, and medians are over the runs. The CLI: each run asks an
English and a Chinese question, each in its own process, with the cache kept and with it removed
before the process starts, alternating.

Run: python -m bench.bench_first_search [--passages 10000] [--runs 3] [--home DIR]
"""

import argparse
import asyncio
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client, StdioServerParameters

from bench.bench_mcp import build_library, stored_passages
from bench.eval.check_evidence import QUESTIONS, load_questions
from bench.report import CORPUS, machine, median, table, write_section

SERVE_CODE = (
    "from papershelf.library import Library; from papershelf.server.app import serve; "
    "serve(Library(), 'stdio')"
)
IDLE_SECONDS = (0.0, 10.0)
ENGLISH = [q.question for q in load_questions(QUESTIONS) if q.language == "en"]
CHINESE = [q.question for q in load_questions(QUESTIONS) if q.language == "zh"]


async def timed(client: Client, query: str) -> float:
    started = time.perf_counter()
    result = await client.call_tool("search_papers", {"query": query})
    assert not result.is_error, result.content
    return (time.perf_counter() - started) * 1000


async def one_server(home: Path, warm_up: bool, idle: float, run: int) -> list[float]:
    """(first English, then Chinese, then a warm call) ms, in one fresh server process."""
    env = {**os.environ, "PAPERSHELF_HOME": str(home), "PAPERSHELF_WARM_UP": str(warm_up).lower()}
    params = StdioServerParameters(command=sys.executable, args=["-c", SERVE_CODE], env=env)
    async with Client(params) as client:
        await asyncio.sleep(idle)
        return [
            await timed(client, ENGLISH[3 * run]),
            await timed(client, CHINESE[3 * run]),
            await timed(client, ENGLISH[3 * run + 1]),
        ]


async def measure(home: Path, runs: int) -> list[list[object]]:
    found: dict[tuple[bool, float], list[list[float]]] = {}
    number = 0
    for idle in IDLE_SECONDS:
        for _ in range(runs):
            for warm_up in (False, True):
                found.setdefault((warm_up, idle), []).append(
                    await one_server(home, warm_up, idle, number)
                )
                number += 1
                print(f"warm-up {warm_up}, idle {idle:g} s: {found[(warm_up, idle)][-1]}")
    rows: list[list[object]] = []
    for idle in IDLE_SECONDS:
        off = [median([r[i] for r in found[(False, idle)]]) for i in range(3)]
        on = [median([r[i] for r in found[(True, idle)]]) for i in range(3)]
        for name, values in (("off", off), ("on", on)):
            ratio = f"{values[0] / off[0]:.2f}" if off[0] else "-"
            rows.append([f"{idle:g}", name, *values, ratio])
    return rows


CLI_CODE = "from papershelf.cli.main import main; main()"


def one_shot(home: Path, question: str, cached: bool) -> float:
    """Wall ms of `papershelf search QUESTION` in a new process (the import included)."""
    if not cached:
        shutil.rmtree(home / "cache", ignore_errors=True)
    env = {**os.environ, "PAPERSHELF_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CLI_CODE, "search", question],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return (time.perf_counter() - started) * 1000


def measure_cli(home: Path, runs: int) -> list[list[object]]:
    found: dict[bool, list[list[float]]] = {True: [], False: []}
    one_shot(home, "pixel shuffle visual tokens", cached=True)  # a question outside the set
    for run in range(runs):
        for cached in (True, False):
            questions = (ENGLISH[-1 - 2 * run - cached], CHINESE[-1 - 2 * run - cached])
            found[cached].append([one_shot(home, q, cached) for q in questions])
            print(f"one-shot search, cache kept {cached}: {found[cached][-1]}", flush=True)
    removed = [median([r[i] for r in found[False]]) for i in range(2)]
    rows: list[list[object]] = []
    for cached in (False, True):
        values = [median([r[i] for r in found[cached]]) for i in range(2)]
        name = "kept in the home's cache" if cached else "parsed and built (cache removed)"
        rows.append([name, *values, f"{values[0] / removed[0]:.2f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="server starts per setting and idle")
    parser.add_argument("--home", help="keep (and reuse) the bench library in this folder")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    logging.basicConfig(level=logging.WARNING)
    print(machine())
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="papershelf-bench-1st-"))
    print(f"library in {home} ...", flush=True)
    library = build_library(home, args.passages)
    passages, papers = stored_passages(library), library.count()
    library.close()
    rows = asyncio.run(measure(home, args.runs))
    cli_rows = measure_cli(home, args.runs)
    body = "\n\n".join(
        [
            "## First question to a fresh server (`bench/bench_first_search.py`)",
            f"A stdio server over {papers} papers, {passages} passages (bench_mcp's library), "
            "started as a host starts it; after the MCP handshake and `idle` seconds, one English "
            "and then one Chinese `search_papers` call, then another English one (warm). Warm-up "
            "'on' is the default: the server searches once in the background when it starts "
            "(`Searcher.warm_up`: the embedder's model, the indexes, the dictionary and the "
            "lexicon load then); 'off' is `PAPERSHELF_WARM_UP=false`. Medians of "
            f"{args.runs} server starts per row, settings alternating; no question repeats.",
            table(
                [
                    "idle s",
                    "warm-up",
                    "first call ms (English)",
                    "second call ms (Chinese)",
                    "warm call ms",
                    "first call / off",
                ],
                rows,
            ),
            "One-shot `papershelf search` (a new process per question, as from a shell; wall "
            "time with the imports, the embedder's model, the indexes and the search), with the "
            "parsed dictionary and the embedder's tokenizer kept in `<home>/cache` and with the "
            "cache removed before the "
            f"process starts. Medians of {args.runs} runs, settings alternating; no question "
            "repeats:",
            table(
                ["dictionary and tokenizer", "English ms", "Chinese ms", "English / cache removed"],
                cli_rows,
            ),
        ]
    )
    print(body)
    write_section("first-search", body)


if __name__ == "__main__":
    main()
