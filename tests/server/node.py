"""Finding Node.js 22 for the tests that run the official MCP tools with npx (Inspector CLI,
conformance suite). CI installs it with `npm install --prefix "$PAPERSHELF_NODE22" node@22`;
set PAPERSHELF_REQUIRE_NODE=1 there so a missing Node fails these tests instead of skipping them."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

MIN_NODE = (22, 19)
INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
CONFORMANCE = "@modelcontextprotocol/conformance@0.2.0-alpha.12"


def _version(node: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return tuple(int(part) for part in match.groups()) if match else ()


def node22_env() -> dict[str, str]:
    """The environment with Node >= 22 first on PATH; skips (or fails, when required) without it."""
    env = dict(os.environ)
    candidates = []
    prefix = os.environ.get("PAPERSHELF_NODE22")
    if prefix:
        candidates.append(Path(prefix) / "node_modules" / ".bin")
    system = shutil.which("node")
    if system:
        candidates.append(Path(system).parent)
    for folder in candidates:
        node = folder / "node"
        if node.exists() and _version(str(node)) >= MIN_NODE and shutil.which("npx"):
            env["PATH"] = os.pathsep.join([str(folder), env.get("PATH", "")])
            env.setdefault("npm_config_yes", "true")
            return env
    message = (
        "needs Node.js >= 22 and npx (set PAPERSHELF_NODE22 to a prefix with node@22 installed)"
    )
    if os.environ.get("PAPERSHELF_REQUIRE_NODE") == "1":
        pytest.fail(message)
    pytest.skip(message)
