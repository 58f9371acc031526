"""Load on the MCP server's Streamable HTTP endpoint for bench_mcp: stateless search_papers
calls from wrk (a C load generator that leaves the cores to the server) or, without it, from a
Python client; and the server processes' CPU time per call.
"""

import asyncio
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.report import median, percentile

HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2026-07-28",
    "Mcp-Method": "tools/call",
    "Mcp-Name": "search_papers",
}


def request_body(i: int, queries: list[str]) -> bytes:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    params = {
        "name": "search_papers",
        "arguments": {"query": queries[i % len(queries)]},
        "_meta": meta,
    }
    return json.dumps(
        {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params}
    ).encode()


async def plain_latencies(url: str, warm_up: list[str], queries: list[str]) -> list[float]:
    """Latency (ms) of one search_papers call per query from a plain HTTP client: one POST of the
    JSON-RPC request and its JSON answer read, with none of an MCP SDK client's own work."""
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=60) as http:
        for i, query in enumerate(warm_up + queries):
            started = time.perf_counter()
            response = await http.post(url, content=request_body(i, [query]), headers=HEADERS)
            elapsed = (time.perf_counter() - started) * 1000
            payload = response.json()
            assert "result" in payload and not payload["result"].get("isError"), payload
            if i >= len(warm_up):
                latencies.append(elapsed)
    return latencies


async def python_load(
    url: str, concurrency: int, calls: int, queries: list[str]
) -> tuple[float, int, float, float]:
    """Calls per second with `concurrency` requests in flight from a Python client, the errors,
    and the p50 and p99 latency (ms)."""
    headers = HEADERS
    bodies = [request_body(i, queries) for i in range(calls)]
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
    return calls / elapsed, errors, median(latencies), percentile(latencies, 99)


WRK_SCRIPT = """
local bodies = {%s}
local counter = 0
local threads = {}
wrk.method = "POST"
%s
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  errors = 0
end
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true)
      or string.find(body, '"isError":true', 1, true) then
    errors = errors + 1
  end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  local s = summary.errors
  e = e + s.connect + s.read + s.write + s.timeout
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(folder: Path, queries: list[str]) -> Path:
    """A wrk script POSTing stateless search_papers calls over the questions, counting errors."""
    bodies = ",\n".join(f"[==[{request_body(i, queries).decode()}]==]" for i in range(len(queries)))
    headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in HEADERS.items())
    path = folder / "search_papers.lua"
    path.write_text(WRK_SCRIPT % (bodies, headers), encoding="utf-8")
    return path


def wrk_load(
    url: str, concurrency: int, seconds: float, script: Path
) -> tuple[float, int, float, float]:
    """Calls per second from wrk with `concurrency` connections, errors, p50 and p99 (ms)."""
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "60s"]
    done = subprocess.run(
        [*command, "-s", str(script), url], capture_output=True, text=True, check=True
    )
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.MULTILINE)
    if found is None:
        raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    calls, micros, errors, p50, p99 = map(int, found.groups())
    return calls / (micros / 1e6), errors, p50 / 1000, p99 / 1000


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process and its children so far; None off Linux."""
    try:
        pids = [pid] + [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit()
            and (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid)
        ]
        ticks = 0
        for each in pids:
            fields = (Path("/proc") / str(each) / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


async def throughput(
    url: str,
    concurrency: int,
    seconds: float,
    script: Path | None,
    pid: int,
    warm_s: float,
    queries: list[str],
) -> tuple[float, int, float, float, float | None]:
    """wrk's measure when it is installed (`script`), else the Python client's, and the server's
    CPU milliseconds per call (what the calls cost, whatever else runs on the machine). Load runs
    `warm_s` seconds first, so every worker has loaded its models before the clock starts."""
    if script is not None:
        wrk_load(url, concurrency, warm_s, script)
        before, started = cpu_seconds(pid), time.perf_counter()
        rate, errors, p50, p99 = await asyncio.to_thread(
            wrk_load, url, concurrency, seconds, script
        )
        calls = rate * (time.perf_counter() - started)
    else:
        await python_load(url, concurrency, max(8, int(warm_s * 4)) * concurrency, queries)
        calls = max(200, int(25 * concurrency))
        before = cpu_seconds(pid)
        rate, errors, p50, p99 = await python_load(url, concurrency, calls, queries)
    after = cpu_seconds(pid)
    cost = None if before is None or after is None else (after - before) * 1000 / calls
    return rate, errors, p50, p99, cost
