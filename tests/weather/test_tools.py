"""The weather tools through the MCP SDK client, against replayed QWeather answers."""

import json
import os
from pathlib import Path

import httpx
import pytest
from mcp import Client

from tests.support.replay_server import ReplayServer
from tests.weather.conftest import API_KEY, GEO, call_tool, text_of

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(__file__).with_name("tools_snapshot.json")


async def test_tool_list_matches_the_snapshot(weather_server):
    """The tool contract (names, parameters, output schemas, hints) changes only on purpose.
    Regenerate with PAPERSHELF_UPDATE_SNAPSHOTS=1."""
    async with Client(weather_server) as client:
        tools = (await client.list_tools()).tools
    listed = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    if os.environ.get("PAPERSHELF_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(
            json.dumps(listed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    assert listed == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


async def test_every_tool_is_read_only_and_returns_structured_output(weather_server):
    async with Client(weather_server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {"get_current_weather", "get_forecast", "lookup_city"}
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True
        assert tool.output_schema["type"] == "object"
        assert all("description" in p for p in tool.input_schema["properties"].values())


async def test_current_weather_for_a_chinese_name_is_structured_and_readable(weather_server):
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert not result.is_error
    weather = result.structured_content
    assert weather["place"]["id"] == "101010100"
    assert weather["place"]["province"] == "北京市"
    assert weather["condition"] == "多云"
    assert weather["temperature_c"] == 28
    assert weather["wind_direction"] == "南风"
    assert weather["humidity_pct"] == 45
    text = text_of(result)
    assert "当前城市: 北京 (北京市, 中国)" in text
    assert "温度: 28°C" in text
    assert "风力风向: 南风 2级" in text
    assert "QWeather" in text


async def test_current_weather_for_an_english_name_answers_in_english(weather_server):
    result = await call_tool(weather_server, "get_current_weather", city="Beijing")
    assert result.structured_content["condition"] == "Cloudy"
    assert result.structured_content["place"]["country"] == "China"
    assert "Temperature: 28°C" in text_of(result)


async def test_missing_station_values_come_back_as_null(weather_server):
    result = await call_tool(weather_server, "get_current_weather", city="上海")
    assert result.structured_content["condition"] == "小雨"
    assert result.structured_content["cloud_pct"] is None
    assert result.structured_content["dew_point_c"] is None


async def test_forecast_defaults_to_three_days(weather_server):
    result = await call_tool(weather_server, "get_forecast", city="北京")
    days = result.structured_content["days"]
    assert [day["date"] for day in days] == ["2025-06-14", "2025-06-15", "2025-06-16"]
    assert days[2]["condition_day"] == "小雨"
    assert days[0]["temp_max_c"] == 34 and days[0]["temp_min_c"] == 21
    assert "2025-06-16: 白天 小雨, 夜间 小雨, 21~30°C" in text_of(result)


async def test_forecast_gives_seven_days_when_asked(weather_server):
    result = await call_tool(weather_server, "get_forecast", city="北京", days=7)
    assert len(result.structured_content["days"]) == 7
    assert result.structured_content["days"][6]["condition_day"] == "雷阵雨"


async def test_forecast_refuses_other_day_counts(weather_server):
    result = await call_tool(weather_server, "get_forecast", city="北京", days=5)
    assert result.is_error
    assert "days" in text_of(result)


async def test_lookup_city_lists_same_named_places_with_their_provinces(weather_server):
    result = await call_tool(weather_server, "lookup_city", name="朝阳")
    places = result.structured_content["places"]
    assert [(p["id"], p["province"]) for p in places] == [
        ("101010300", "北京市"),
        ("101071201", "辽宁省"),
        ("101060110", "吉林省"),
    ]
    assert "朝阳 (辽宁省, 中国): id 101071201" in text_of(result)


async def test_weather_for_an_ambiguous_name_counts_the_other_places(weather_server):
    result = await call_tool(weather_server, "get_current_weather", city="朝阳")
    assert result.structured_content["place"]["province"] == "北京市"
    assert result.structured_content["other_matches"] == 2
    assert "lookup_city" in text_of(result)


async def test_a_location_id_names_the_place_exactly(weather_server, qweather: ReplayServer):
    result = await call_tool(weather_server, "get_current_weather", city="101010100")
    assert result.structured_content["place"]["name"] == "北京"
    assert result.structured_content["other_matches"] == 0
    assert qweather.requests_to("/v7/weather/now")[0].query == "location=101010100&lang=zh"


async def test_requests_send_the_key_header_and_accept_gzip(weather_server, qweather):
    await call_tool(weather_server, "get_current_weather", city="北京")
    for request in qweather.requests:
        assert request.header("X-QW-Api-Key") == API_KEY
        assert "gzip" in request.header("Accept-Encoding")
        assert request.header("User-Agent").startswith("papershelf/")


def test_replayed_answers_are_gzip_compressed_like_qweathers(qweather):
    raw = httpx.get(qweather.url(f"{GEO}?location=北京&number=10&lang=zh"))
    assert raw.headers["Content-Encoding"] == "gzip"
    assert raw.json()["location"][0]["id"] == "101010100"
