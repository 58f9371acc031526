"""What the weather tools do: resolve a city (through the cache), then ask QWeather."""

import re
from typing import Literal

from papershelf.core.errors import InputError, NotFound
from papershelf.weather.city_cache import CityCache
from papershelf.weather.models import (
    CurrentWeather,
    Forecast,
    Place,
    PlaceMatches,
    current_from_qweather,
    forecast_from_qweather,
)
from papershelf.weather.qweather import QWeatherClient
from papershelf.weather.rendering import Lang

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(city: str) -> Lang:
    """Answer in the language the city was asked in; a bare LocationID gets QWeather's own, Chinese."""
    return "zh" if _CJK.search(city) or city.strip().isdigit() else "en"


class WeatherService:
    """Current weather, forecasts and city lookup over a QWeather client and a city cache."""

    def __init__(self, client: QWeatherClient, cache: CityCache):
        self._client = client
        self._cache = cache

    async def lookup_city(self, name: str, lang: Lang | None = None) -> PlaceMatches:
        name = _required(name)
        places = await self._places(name, lang or language_of(name))
        return PlaceMatches(query=name, places=places)

    async def current(self, city: str, lang: Lang | None = None) -> CurrentWeather:
        lang = lang or language_of(city)
        place, other_matches = await self._resolve(city, lang)
        payload = await self._client.weather_now(place.id, lang)
        return current_from_qweather(place, other_matches, payload)

    async def forecast(self, city: str, days: Literal[3, 7], lang: Lang | None = None) -> Forecast:
        lang = lang or language_of(city)
        place, other_matches = await self._resolve(city, lang)
        payload = await self._client.daily_forecast(place.id, days, lang)
        return forecast_from_qweather(place, other_matches, payload)

    async def _resolve(self, city: str, lang: Lang) -> tuple[Place, int]:
        """The best match for `city`, and how many other places have exactly its name."""
        city = _required(city)
        places = await self._places(city, lang)
        best = places[0]
        namesakes = [p for p in places[1:] if p.name.casefold() == best.name.casefold()]
        return best, len(namesakes)

    async def _places(self, name: str, lang: Lang) -> list[Place]:
        cached = self._cache.get(name, lang)
        if cached:
            return cached
        try:
            found = await self._client.lookup_city(name, lang)
        except NotFound:
            found = []
        if not found:
            raise NotFound(
                f"QWeather knows no place called {name!r}: check the spelling, try its Chinese or "
                "English name, or call lookup_city with a shorter name and pass the id you choose"
            )
        places = [Place.from_qweather(location) for location in found]
        self._cache.put(name, lang, places)
        return places


def _required(city: str) -> str:
    city = city.strip()
    if not city:
        raise InputError("the city is empty: give a city name such as 北京 or Beijing, or an id")
    return city
