"""`papershelf weather serve` as a real process, over stdio, Streamable HTTP and SSE."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client

from tests.support.replay_server import ReplayServer
from tests.weather.conftest import API_KEY, GEO

pytestmark = pytest.mark.anyio

SERVE = [sys.executable, "-m", "papershelf", "weather", "serve"]
STARTUP_TIMEOUT_S = 30.0


def _passthrough_env() -> dict[str, str]:
    """What a child needs from this process to import papershelf the same way."""
    return {name: os.environ[name] for name in ("PYTHONPATH", "VIRTUAL_ENV") if name in os.environ}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(transport: str, qweather: ReplayServer, home: Path) -> Iterator[int]:
    """Start the server on a free loopback port; yield the port once it accepts connections."""
    port = _free_port()
    env = {
        **os.environ,
        "PAPERSHELF_HOME": str(home),
        "QWEATHER_API_HOST": qweather.base_url,
        "QWEATHER_API_KEY": API_KEY,
    }
    log = home.with_name(f"{home.name}.log")
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [*SERVE, "--transport", transport, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_for_port(process, port, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"the server exited ({process.returncode}):\n{output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the server did not listen on port {port} within {STARTUP_TIMEOUT_S:g}s")


async def test_stdio_server_reads_its_key_from_dotenv(qweather, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text(
        f"QWEATHER_API_HOST={qweather.base_url}\nQWEATHER_API_KEY={API_KEY}\n", encoding="utf-8"
    )
    home = tmp_path / "stdio-home"
    params = StdioServerParameters(
        command=SERVE[0],
        args=SERVE[1:],
        env={"PAPERSHELF_HOME": str(home), **_passthrough_env()},
        cwd=project,
    )
    # mode="legacy": the initialize handshake, as Claude Desktop and Cherry Studio speak it.
    async with Client(params, mode="legacy", read_timeout_seconds=STARTUP_TIMEOUT_S) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("get_current_weather", {"city": "北京"})
    assert tools == {"get_current_weather", "get_forecast", "lookup_city"}
    assert result.structured_content["place"]["id"] == "101010100"
    assert "当前城市: 北京" in result.content[0].text
    assert qweather.requests_to(GEO)[0].header("X-QW-Api-Key") == API_KEY
    assert (home / "weather" / "city_codes.json").is_file()


async def test_streamable_http_server_answers_at_mcp(qweather, tmp_path):
    with serving("http", qweather, tmp_path / "http-home") as port:
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            result = await client.call_tool("get_forecast", {"city": "北京", "days": 7})
            missing = await client.call_tool("get_current_weather", {"city": "不存在的城市"})
    assert len(result.structured_content["days"]) == 7
    assert missing.is_error
    assert "lookup_city" in missing.content[0].text


async def test_sse_server_answers_at_sse(qweather, tmp_path):
    with serving("sse", qweather, tmp_path / "sse-home") as port:
        async with Client(sse_client(f"http://127.0.0.1:{port}/sse")) as client:
            result = await client.call_tool("lookup_city", {"name": "朝阳"})
    assert [p["province"] for p in result.structured_content["places"]] == [
        "北京市",
        "辽宁省",
        "吉林省",
    ]
