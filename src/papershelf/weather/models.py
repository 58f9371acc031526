"""What the weather tools return: places, current weather and daily forecasts (structured output)."""

from typing import Any

from pydantic import BaseModel, Field

ATTRIBUTION = "QWeather (和风天气)"


class Place(BaseModel):
    """A place QWeather knows, as its GeoAPI city lookup describes it."""

    id: str = Field(description="QWeather LocationID; pass it as `city` to name this exact place.")
    name: str = Field(description="Name of the place, e.g. 朝阳 or Chaoyang.")
    prefecture: str = Field(description="The city or prefecture it belongs to (QWeather adm2).")
    province: str = Field(description="Province, state or region (QWeather adm1), e.g. 辽宁省.")
    country: str = Field(description="Country, e.g. 中国 or China.")
    lat: float | None = Field(default=None, description="Latitude, decimal degrees.")
    lon: float | None = Field(default=None, description="Longitude, decimal degrees.")
    timezone: str = Field(default="", description="IANA time zone, e.g. Asia/Shanghai.")
    link: str = Field(default="", description="QWeather web page of this place.")

    @classmethod
    def from_qweather(cls, location: dict[str, Any]) -> "Place":
        return cls(
            id=str(location["id"]),
            name=location.get("name", ""),
            prefecture=location.get("adm2", ""),
            province=location.get("adm1", ""),
            country=location.get("country", ""),
            lat=number(location.get("lat")),
            lon=number(location.get("lon")),
            timezone=location.get("tz", ""),
            link=location.get("fxLink", ""),
        )

    @property
    def label(self) -> str:
        """Name with the divisions that tell same-named places apart: 朝阳 (朝阳, 辽宁省, 中国)."""
        parents = [
            p for p in (self.prefecture, self.province, self.country) if p and p != self.name
        ]
        return f"{self.name} ({', '.join(dict.fromkeys(parents))})" if parents else self.name


class PlaceMatches(BaseModel):
    """Every place QWeather finds for a name, best match first."""

    query: str = Field(description="The name that was looked up.")
    places: list[Place] = Field(description="Candidates, best match (relevance and rank) first.")


class CurrentWeather(BaseModel):
    """The latest observation at one place."""

    place: Place = Field(description="Where the observation is from.")
    other_matches: int = Field(
        description="Other places with the same name; if more than 0, call lookup_city and "
        "ask again with the id of the place meant."
    )
    observed_at: str = Field(description="Observation time, ISO 8601 with offset.")
    updated_at: str = Field(description="When QWeather last updated this data.")
    condition: str = Field(description="Weather in words, e.g. 多云 or Cloudy.")
    temperature_c: float | None = Field(description="Air temperature, °C.")
    feels_like_c: float | None = Field(description="Apparent temperature, °C.")
    humidity_pct: float | None = Field(description="Relative humidity, %.")
    wind_direction: str = Field(description="Wind direction in words, e.g. 南风 or S.")
    wind_scale: str = Field(description="Beaufort wind force, e.g. '2' or '3-4'.")
    wind_speed_kmh: float | None = Field(description="Wind speed, km/h.")
    precipitation_mm: float | None = Field(description="Precipitation in the last hour, mm.")
    pressure_hpa: float | None = Field(description="Air pressure, hPa.")
    visibility_km: float | None = Field(description="Visibility, km.")
    cloud_pct: float | None = Field(default=None, description="Cloud cover, %, when reported.")
    dew_point_c: float | None = Field(default=None, description="Dew point, °C, when reported.")
    source: str = Field(default=ATTRIBUTION, description="Data source, to credit in answers.")


class DayForecast(BaseModel):
    """The forecast for one local day."""

    date: str = Field(description="Local date, YYYY-MM-DD.")
    condition_day: str = Field(description="Daytime weather in words.")
    condition_night: str = Field(description="Night weather in words.")
    temp_max_c: float | None = Field(description="Highest temperature, °C.")
    temp_min_c: float | None = Field(description="Lowest temperature, °C.")
    wind_direction_day: str = Field(description="Daytime wind direction in words.")
    wind_scale_day: str = Field(description="Daytime Beaufort wind force, e.g. '1-3'.")
    humidity_pct: float | None = Field(description="Relative humidity, %.")
    precipitation_mm: float | None = Field(description="Total precipitation, mm.")
    uv_index: float | None = Field(description="UV index.")
    sunrise: str = Field(
        default="", description="Local sunrise time, HH:MM (empty in polar day/night)."
    )
    sunset: str = Field(default="", description="Local sunset time, HH:MM.")


class Forecast(BaseModel):
    """A daily forecast for one place."""

    place: Place = Field(description="Where the forecast is for.")
    other_matches: int = Field(
        description="Other places with the same name; if more than 0, call lookup_city and "
        "ask again with the id of the place meant."
    )
    updated_at: str = Field(description="When QWeather last updated this forecast.")
    days: list[DayForecast] = Field(description="One entry per day, today first.")
    source: str = Field(default=ATTRIBUTION, description="Data source, to credit in answers.")


def number(value: Any) -> float | None:
    """QWeather sends numbers as strings and leaves fields empty when a station lacks them."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def current_from_qweather(
    place: Place, other_matches: int, payload: dict[str, Any]
) -> CurrentWeather:
    now = payload.get("now") or {}
    return CurrentWeather(
        place=place,
        other_matches=other_matches,
        observed_at=now.get("obsTime", ""),
        updated_at=payload.get("updateTime", ""),
        condition=now.get("text", ""),
        temperature_c=number(now.get("temp")),
        feels_like_c=number(now.get("feelsLike")),
        humidity_pct=number(now.get("humidity")),
        wind_direction=now.get("windDir", ""),
        wind_scale=now.get("windScale", ""),
        wind_speed_kmh=number(now.get("windSpeed")),
        precipitation_mm=number(now.get("precip")),
        pressure_hpa=number(now.get("pressure")),
        visibility_km=number(now.get("vis")),
        cloud_pct=number(now.get("cloud")),
        dew_point_c=number(now.get("dew")),
    )


def forecast_from_qweather(place: Place, other_matches: int, payload: dict[str, Any]) -> Forecast:
    days = [
        DayForecast(
            date=day.get("fxDate", ""),
            condition_day=day.get("textDay", ""),
            condition_night=day.get("textNight", ""),
            temp_max_c=number(day.get("tempMax")),
            temp_min_c=number(day.get("tempMin")),
            wind_direction_day=day.get("windDirDay", ""),
            wind_scale_day=day.get("windScaleDay", ""),
            humidity_pct=number(day.get("humidity")),
            precipitation_mm=number(day.get("precip")),
            uv_index=number(day.get("uvIndex")),
            sunrise=day.get("sunrise", ""),
            sunset=day.get("sunset", ""),
        )
        for day in payload.get("daily") or []
    ]
    return Forecast(
        place=place,
        other_matches=other_matches,
        updated_at=payload.get("updateTime", ""),
        days=days,
    )
