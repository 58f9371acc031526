"""The official MCP conformance suite against papershelf, on both wire revisions: the generic
scenarios against the real server (`papershelf serve --transport http` over a small library),
and the fixture scenarios against the fixture server (fixture_server.py). Known failures, with
reasons, are in expected-failures.yml; anything else failing, or a listed failure that starts
passing, fails the run.

Run: python -m tests.conformance.run [--target real|fixture|all]   (needs Node >= 22 and npx)
"""

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papershelf.core.settings import Settings
from papershelf.library import Library
from tests.server.conftest import free_port, serve_command, server_env, stop, wait_for_port
from tests.server.node import CONFORMANCE
from tests.server.papers import write_papers

HERE = Path(__file__).resolve().parent
EXPECTED_FAILURES = HERE / "expected-failures.yml"
REVISIONS = ("2025-11-25", "2026-07-28")
REAL_SCENARIOS = {
    "2025-11-25": ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"],
    "2026-07-28": [
        "tools-list",
        "dns-rebinding-protection",
        "server-stateless",
        "caching",
        "sep-2164-resource-not-found",
    ],
}
SCENARIO_TIMEOUT_S = 300


def conformance(url: str, revision: str, env: dict[str, str], scenario: str | None = None) -> int:
    """One run of the suite (one scenario, or the whole active suite); its exit status."""
    command = ["npx", "-y", CONFORMANCE, "server", "--url", url, "--spec-version", revision]
    command += ["--expected-failures", str(EXPECTED_FAILURES)]
    if scenario:
        command += ["--scenario", scenario]
    with tempfile.TemporaryDirectory() as results:
        completed = subprocess.run(
            [*command, "--output-dir", results],
            env=env,
            timeout=SCENARIO_TIMEOUT_S * 4,
            check=False,
        )
    return completed.returncode


@contextmanager
def real_server() -> Iterator[str]:
    """`papershelf serve --transport http` over the four test papers, in a temporary home."""
    with tempfile.TemporaryDirectory(prefix="papershelf-conformance-") as folder:
        home = Path(folder)
        library = Library(Settings(home=home))
        assert library.add([str(p) for p in write_papers(home / "papers")]).ok
        library.close()
        port = free_port()
        process = subprocess.Popen(
            serve_command("--transport", "http", "--port", str(port)),
            env=server_env(home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            stop(process)


@contextmanager
def fixture_server() -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, str(HERE / "fixture_server.py"), str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        stop(process)


def run_real(revision: str, env: dict[str, str]) -> list[str]:
    """The generic scenarios against the real server; the ones that failed."""
    with real_server() as url:
        return [s for s in REAL_SCENARIOS[revision] if conformance(url, revision, env, s) != 0]


def run_fixture(revision: str, env: dict[str, str]) -> list[str]:
    """The whole active suite against the fixture server; ['suite'] when it failed."""
    with fixture_server() as url:
        return ["active suite"] if conformance(url, revision, env) != 0 else []


def main() -> None:
    from tests.server.node import node22_env

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", choices=["real", "fixture", "all"], default="all")
    args = parser.parse_args()
    env = node22_env()
    failed = []
    for revision in REVISIONS:
        if args.target in ("real", "all"):
            failed += [f"papershelf {revision} {s}" for s in run_real(revision, env)]
        if args.target in ("fixture", "all"):
            failed += [f"fixture {revision} {s}" for s in run_fixture(revision, env)]
    if failed:
        raise SystemExit("conformance failures: " + "; ".join(failed))
    print("conformance: every run matched expected-failures.yml")


if __name__ == "__main__":
    main()
