"""The README's promises, checked: two quick-start commands, and its agent config really runs."""

import json
import re
import sys
from pathlib import Path

import pytest

from papershelf.agent.config import parse_config
from papershelf.agent.host import McpHost
from tests.support.replay_server import closed_port_url

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_quick_start_is_exactly_two_commands():
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```\n(.*?)```", quick_start, flags=re.S).group(1)
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def readme_agent_config() -> dict:
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    (config,) = [json.loads(b) for b in blocks if '"mcpServers"' in b]
    return config


@pytest.mark.anyio
async def test_the_readme_agent_config_runs_papers_and_weather_together(papershelf_home):
    config = readme_agent_config()
    for server in config["mcpServers"].values():
        # run the same commands through this interpreter (the `papershelf` script may not be on PATH)
        server["args"] = ["-m", "papershelf", *server["args"]]
        server["command"] = sys.executable
        server.setdefault("env", {})["PAPERSHELF_HOME"] = str(papershelf_home)
    # no traffic leaves this machine: the weather server is pointed at a closed local port
    unreachable = closed_port_url()
    config["mcpServers"]["weather"]["env"].update(
        {"QWEATHER_API_HOST": unreachable, "PAPERSHELF_HTTP_RETRIES": "0"}
    )
    specs = parse_config(config, "README.md")
    async with McpHost(specs) as host:
        assert not host.failures
        assert {"papers__search_papers", "weather__get_current_weather"} <= set(host.tools)
        found = await host.call_tool("papers__search_papers", {"query": "pixel shuffle"}, 30)
        assert not found.is_error
        weather = await host.call_tool("weather__get_current_weather", {"city": "北京"}, 30)
        # the host is not reachable: the tool must say so, not crash
        assert weather.is_error
        assert "127.0.0.1" in weather.content[0].text
