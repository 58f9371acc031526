"""Every way QWeather can fail reaches the model as a tool error that says what to do."""

import pytest

from papershelf.core.settings import Settings
from papershelf.weather.server import build_weather_server
from tests.support.replay_server import Reply, closed_port_url
from tests.weather.conftest import API_KEY, GEO, call_tool, qweather_reply, text_of

pytestmark = pytest.mark.anyio

BEIJING_GEO = f"{GEO}?location=北京&number=10&lang=zh"
BEIJING_NOW = "/v7/weather/now?location=101010100&lang=zh"


def server_for(host: str, key: str = API_KEY, **settings):
    options = {"http_retries": 2, **settings}
    return build_weather_server(
        Settings(qweather_api_host=host, qweather_api_key=key, **options), backoff_s=0
    )


async def test_a_missing_key_says_where_to_get_one(qweather):
    result = await call_tool(
        server_for(qweather.base_url, key=""), "get_current_weather", city="北京"
    )
    assert result.is_error
    assert "QWEATHER_API_KEY is not set: get a key at the QWeather console" in text_of(result)
    assert "environment or .env" in text_of(result)
    assert qweather.requests == []


async def test_a_missing_host_says_where_to_find_it(qweather):
    result = await call_tool(server_for(""), "get_current_weather", city="北京")
    assert result.is_error
    assert "QWEATHER_API_HOST is not set" in text_of(result)


@pytest.mark.parametrize(
    ("reply", "style"),
    [
        (qweather_reply("error_v1_401.json"), "v1: HTTP 200, code 401"),
        (qweather_reply("error_v2_unauthorized.json", status=401), "v2: HTTP 401, error object"),
    ],
)
async def test_an_invalid_key_is_reported_as_such(qweather, weather_server, reply, style):
    qweather.route(BEIJING_GEO, reply)
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert result.is_error, style
    assert "QWeather rejected the API key (401" in text_of(result)
    assert "check QWEATHER_API_KEY" in text_of(result)
    assert len(qweather.requests) == 1, "a rejected key is not retried"


async def test_a_forbidden_request_names_the_console_checks(qweather, weather_server):
    qweather.route(BEIJING_GEO, qweather_reply("error_v2_no_credit.json", status=403))
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert "403 Forbidden: No Credit" in text_of(result)
    assert "QWeather console" in text_of(result)


@pytest.mark.parametrize(
    "reply",
    [
        qweather_reply("geo_not_found_v1.json"),
        qweather_reply("error_v2_not_found.json", status=400),
    ],
    ids=["v1-code-404", "v2-not-found"],
)
async def test_an_unknown_city_suggests_lookup_city(qweather, weather_server, reply):
    qweather.route(f"{GEO}?location=不存在的城市&number=10&lang=zh", reply)
    result = await call_tool(weather_server, "get_current_weather", city="不存在的城市")
    assert result.is_error
    assert "QWeather knows no place called '不存在的城市'" in text_of(result)
    assert "lookup_city" in text_of(result)


async def test_an_unknown_city_is_not_cached(qweather, weather_server):
    for _ in range(2):
        await call_tool(weather_server, "get_forecast", city="不存在的城市")
    assert len(qweather.requests_to(GEO)) == 2


async def test_a_rate_limit_is_retried_then_reported(qweather, weather_server):
    qweather.route(
        BEIJING_GEO,
        qweather_reply("error_v2_too_many_requests.json", status=429, headers={"Retry-After": "0"}),
    )
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert "QWeather rate limit reached (429 Too Many Requests" in text_of(result)
    assert "wait a minute" in text_of(result)
    assert len(qweather.requests) == 3, "the first try and http_retries=2 retries"


async def test_a_rate_limit_in_a_v1_body_is_retried_until_it_clears(qweather, weather_server):
    qweather.route(
        BEIJING_GEO, qweather_reply("error_v1_429.json"), qweather_reply("geo_beijing_zh.json")
    )
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert not result.is_error
    assert len(qweather.requests_to(GEO)) == 2


async def test_a_server_error_is_retried_and_recovers(qweather, weather_server):
    qweather.route(
        BEIJING_NOW,
        Reply.text("<html>502 Bad Gateway</html>", status=502),
        qweather_reply("error_v1_500.json"),
        qweather_reply("now_101010100_zh.json"),
    )
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert result.structured_content["temperature_c"] == 28
    assert len(qweather.requests_to("/v7/weather/now")) == 3


async def test_a_lasting_server_error_is_reported_after_the_retries(qweather, weather_server):
    qweather.route(BEIJING_NOW, Reply.text("unavailable", status=503))
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert "failed (HTTP 503) after 3 attempts" in text_of(result)


async def test_an_exhausted_quota_is_reported(qweather, weather_server):
    qweather.route(BEIJING_NOW, qweather_reply("error_v1_402.json"))
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert "quota or balance is used up (402" in text_of(result)


async def test_a_place_without_data_is_reported(qweather, weather_server):
    qweather.route(BEIJING_NOW, qweather_reply("error_v1_204.json"))
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert "no data for this location (204" in text_of(result)


async def test_an_unreachable_host_is_named_in_the_error():
    host = closed_port_url("").rstrip("/")
    result = await call_tool(server_for(host, http_retries=1), "get_current_weather", city="北京")
    assert result.is_error
    assert f"cannot reach QWeather at {host}" in text_of(result)
    assert "2 attempts" in text_of(result)


async def test_a_silent_host_times_out_with_a_clear_error(qweather):
    qweather.route(BEIJING_GEO, qweather_reply("geo_beijing_zh.json", delay_s=5))
    server = server_for(qweather.base_url, http_retries=0, http_timeout_s=0.2)
    result = await call_tool(server, "get_current_weather", city="北京")
    assert f"QWeather at {qweather.base_url} did not answer in time" in text_of(result)


async def test_a_host_that_is_not_qweather_is_reported(qweather, weather_server):
    qweather.route(BEIJING_GEO, Reply.text("<html>welcome</html>", content_type="text/html"))
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert "body that is not JSON" in text_of(result)


async def test_an_empty_city_is_refused_before_any_request(qweather, weather_server):
    result = await call_tool(weather_server, "get_current_weather", city="  ")
    assert "the city is empty" in text_of(result)
    assert qweather.requests == []
