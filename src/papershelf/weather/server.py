"""The weather MCP server (the tutorial's first case, done properly), built by `build_weather_server`."""

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Literal, TypeVar, cast

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from papershelf.core.errors import PapershelfError
from papershelf.core.settings import Settings
from papershelf.weather import DEFAULT_PORT
from papershelf.weather.city_cache import CityCache
from papershelf.weather.models import CurrentWeather, Forecast, PlaceMatches
from papershelf.weather.qweather import open_qweather
from papershelf.weather.rendering import Lang, render_current, render_forecast, render_matches
from papershelf.weather.service import WeatherService, language_of

log = logging.getLogger(__name__)

Transport = Literal["stdio", "http", "sse"]

INSTRUCTIONS = (
    "Weather from QWeather (和风天气): get_current_weather for conditions now, get_forecast for "
    "3 or 7 days, lookup_city to tell apart places that share a name (朝阳 is in both 北京 and "
    "辽宁). Cities may be named in Chinese or English. Credit QWeather when you quote its data."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)

City = Annotated[
    str,
    Field(
        description="City name in Chinese or English (北京, Beijing, 上海), or a QWeather "
        "LocationID from lookup_city (e.g. 101010100) to name one place exactly."
    ),
]
Language = Annotated[
    Lang | None,
    Field(
        description="Language of place names and weather words: 'zh' or 'en'. Default: Chinese "
        "when `city` has Chinese characters or is an id, else English."
    ),
]

_Result = TypeVar("_Result", bound=BaseModel)


def city_cache_path(settings: Settings) -> Path:
    return settings.home / "weather" / "city_codes.json"


def build_weather_server(settings: Settings, *, backoff_s: float = 0.5) -> MCPServer:
    """An MCP server with the weather tools; its QWeather client and city cache open in the lifespan."""

    @asynccontextmanager
    async def open_service(_server: MCPServer) -> AsyncIterator[WeatherService]:
        async with open_qweather(settings, backoff_s=backoff_s) as client:
            yield WeatherService(client, CityCache(city_cache_path(settings)))

    server = MCPServer(
        "papershelf-weather",
        title="papershelf weather (QWeather)",
        instructions=INSTRUCTIONS,
        version=version("papershelf"),
        lifespan=open_service,
    )
    for tool, title in (
        (get_current_weather, "Current weather"),
        (get_forecast, "Daily forecast"),
        (lookup_city, "Find a city"),
    ):
        # cleandoc: the docstring is the model's manual, without the source's indentation.
        description = inspect.cleandoc(tool.__doc__ or "")
        server.add_tool(tool, title=title, description=description, annotations=READ_ONLY)
    return server


async def get_current_weather(
    ctx: Context, city: City, lang: Language = None
) -> Annotated[CallToolResult, CurrentWeather]:
    """Current weather at a city: condition, temperature and feels-like (°C), wind, humidity,
    precipitation, pressure and visibility, with the observation time.

    Use it for "what is the weather like now in X" (北京今天天气怎么样?). For the coming days use
    get_forecast. A name that several places share (朝阳) gives the best-ranked one; the result
    names its province and country and counts `other_matches`: when that is above 0 and the user
    may mean another place, call lookup_city and ask again with that place's id.
    Errors say what to fix: unknown city, missing or rejected API key, rate limit, network.
    """
    weather = await _answered(_service(ctx).current(city, lang))
    return _result(weather, render_current(weather, lang or language_of(city)))


async def get_forecast(
    ctx: Context,
    city: City,
    days: Annotated[Literal[3, 7], Field(description="How many days, today included: 3 or 7.")] = 3,
    lang: Language = None,
) -> Annotated[CallToolResult, Forecast]:
    """Daily forecast for a city over the next 3 or 7 days: for each date the day and night
    weather, lowest and highest temperature (°C), daytime wind, humidity, precipitation, UV index,
    sunrise and sunset.

    Use it for tomorrow, the weekend or "this week"; for conditions right now use
    get_current_weather. Places that share a name are handled as in get_current_weather.
    """
    forecast = await _answered(_service(ctx).forecast(city, days, lang))
    return _result(forecast, render_forecast(forecast, lang or language_of(city)))


async def lookup_city(
    ctx: Context,
    name: Annotated[
        str,
        Field(description="Place name in Chinese or English, whole or partial (朝阳, chaoyang)."),
    ],
    lang: Language = None,
) -> Annotated[CallToolResult, PlaceMatches]:
    """Find the places QWeather knows by a name, best match first, each with its id, the city
    (prefecture) and province it belongs to, country, coordinates and time zone.

    Use it when a name is ambiguous (朝阳 is a district of 北京 and a city in 辽宁) or a weather
    call could not find the city; then pass the chosen place's id as `city` to
    get_current_weather or get_forecast. Returns at most 10 places.
    """
    matches = await _answered(_service(ctx).lookup_city(name, lang))
    return _result(matches, render_matches(matches, lang or language_of(name)))


def serve_weather(
    settings: Settings,
    transport: Transport = "stdio",
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
) -> None:
    """Run the weather server until interrupted: stdio, Streamable HTTP at /mcp, or SSE at /sse."""
    server = build_weather_server(settings)
    if not settings.qweather_api_key or not settings.qweather_api_host:
        log.warning("QWEATHER_API_HOST/QWEATHER_API_KEY not set: the weather tools will say so")
    if transport == "stdio":
        server.run("stdio")
    elif transport == "http":
        log.info("weather server: Streamable HTTP at http://%s:%d/mcp", host, port)
        server.run("streamable-http", host=host, port=port)
    else:
        log.info("weather server: SSE at http://%s:%d/sse", host, port)
        server.run("sse", host=host, port=port)


def _service(ctx: Context) -> WeatherService:
    return cast(WeatherService, ctx.request_context.lifespan_context)


async def _answered(call: Awaitable[_Result]) -> _Result:
    """Our errors carry a message the model can act on; ToolError is how it reaches the model."""
    try:
        return await call
    except PapershelfError as exc:
        raise ToolError(str(exc)) from exc


def _result(model: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json"),
    )
