"""A replayed QWeather (gzip JSON shaped like the documented API) and weather servers pointed at it."""

from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult

from papershelf.core.settings import Settings
from papershelf.weather.server import build_weather_server
from tests.support.replay_server import ReplayServer, Reply

API_KEY = "test-qweather-key"
GEO = "/geo/v2/city/lookup"

# (target, fixture under tests/fixtures/qweather); targets match the whole query, in any order.
ROUTES = [
    (f"{GEO}?location=北京&number=10&lang=zh", "geo_beijing_zh.json"),
    (f"{GEO}?location=Beijing&number=10&lang=en", "geo_beijing_en.json"),
    (f"{GEO}?location=101010100&number=10&lang=zh", "geo_101010100_zh.json"),
    (f"{GEO}?location=上海&number=10&lang=zh", "geo_shanghai_zh.json"),
    (f"{GEO}?location=朝阳&number=10&lang=zh", "geo_chaoyang_zh.json"),
    (f"{GEO}?location=不存在的城市&number=10&lang=zh", "geo_not_found_v1.json"),
    ("/v7/weather/now?location=101010100&lang=zh", "now_101010100_zh.json"),
    ("/v7/weather/now?location=101010100&lang=en", "now_101010100_en.json"),
    ("/v7/weather/now?location=101020100&lang=zh", "now_101020100_zh.json"),
    ("/v7/weather/now?location=101010300&lang=zh", "now_101010100_zh.json"),
    ("/v7/weather/3d?location=101010100&lang=zh", "3d_101010100_zh.json"),
    ("/v7/weather/7d?location=101010100&lang=zh", "7d_101010100_zh.json"),
]


def qweather_reply(fixture: str, status: int = 200, **options: Any) -> Reply:
    """A reply as QWeather sends it: JSON, gzip-compressed."""
    return Reply.from_file(f"qweather/{fixture}", status=status, gzip=True, **options)


@pytest.fixture
def qweather() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        for target, fixture in ROUTES:
            server.route(target, qweather_reply(fixture))
        yield server


@pytest.fixture
def settings(qweather: ReplayServer) -> Settings:
    return Settings(qweather_api_host=qweather.base_url, qweather_api_key=API_KEY, http_retries=2)


@pytest.fixture
def weather_server(settings: Settings):
    return build_weather_server(settings, backoff_s=0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def call_tool(server: Any, tool: str, **arguments: Any) -> CallToolResult:
    """One tool call through the SDK client, connected in memory."""
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")
