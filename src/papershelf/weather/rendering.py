"""Readable text for the weather tools' results, in Chinese or English (the structured data rides along)."""

from typing import Literal

from papershelf.weather.models import CurrentWeather, Forecast, PlaceMatches

Lang = Literal["zh", "en"]

_LABELS: dict[str, dict[Lang, str]] = {
    "city": {"zh": "当前城市", "en": "City"},
    "observed": {"zh": "观测时间", "en": "Observed"},
    "condition": {"zh": "天气", "en": "Weather"},
    "temperature": {"zh": "温度", "en": "Temperature"},
    "feels_like": {"zh": "体感温度", "en": "Feels like"},
    "wind": {"zh": "风力风向", "en": "Wind"},
    "humidity": {"zh": "相对湿度", "en": "Humidity"},
    "precipitation": {"zh": "降水量", "en": "Precipitation"},
    "pressure": {"zh": "气压", "en": "Pressure"},
    "visibility": {"zh": "能见度", "en": "Visibility"},
    "forecast": {"zh": "天气预报", "en": "forecast"},
    "day": {"zh": "白天", "en": "day"},
    "night": {"zh": "夜间", "en": "night"},
    "source": {"zh": "数据来源", "en": "Source"},
    "no_places": {"zh": "没有找到匹配的地点", "en": "No matching places"},
    "places_for": {"zh": "匹配的地点", "en": "Places matching"},
    "ambiguous": {
        "zh": "另有 {n} 个同名地点: 用 lookup_city 查出 id 后再查询",
        "en": "{n} other places share this name: call lookup_city and ask again by id",
    },
}


def _label(key: str, lang: Lang) -> str:
    return _LABELS[key][lang]


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    shown = int(value) if value.is_integer() else value
    return f"{shown}{unit}"


def _wind_force(scale: str, lang: Lang) -> str:
    return f"{scale}级" if lang == "zh" else f"force {scale}"


def render_current(weather: CurrentWeather, lang: Lang) -> str:
    lines = [
        f"{_label('city', lang)}: {weather.place.label} [id {weather.place.id}]",
        f"{_label('observed', lang)}: {weather.observed_at}",
        f"{_label('condition', lang)}: {weather.condition}",
        f"{_label('temperature', lang)}: {_value(weather.temperature_c, '°C')}",
        f"{_label('feels_like', lang)}: {_value(weather.feels_like_c, '°C')}",
        f"{_label('wind', lang)}: {weather.wind_direction} {_wind_force(weather.wind_scale, lang)}"
        f" ({_value(weather.wind_speed_kmh, ' km/h')})",
        f"{_label('humidity', lang)}: {_value(weather.humidity_pct, '%')}",
        f"{_label('precipitation', lang)}: {_value(weather.precipitation_mm, ' mm')}",
        f"{_label('pressure', lang)}: {_value(weather.pressure_hpa, ' hPa')}",
        f"{_label('visibility', lang)}: {_value(weather.visibility_km, ' km')}",
    ]
    return _with_footer(lines, weather.other_matches, weather.source, lang)


def render_forecast(forecast: Forecast, lang: Lang) -> str:
    title = f"{forecast.place.label} [id {forecast.place.id}]"
    lines = [
        f"{title} {len(forecast.days)}{'天' if lang == 'zh' else '-day'} {_label('forecast', lang)}"
    ]
    for day in forecast.days:
        lines.append(
            f"{day.date}: {_label('day', lang)} {day.condition_day}, {_label('night', lang)} "
            f"{day.condition_night}, {_value(day.temp_min_c, '')}~{_value(day.temp_max_c, '°C')}, "
            f"{day.wind_direction_day} {_wind_force(day.wind_scale_day, lang)}, "
            f"{_label('precipitation', lang)} {_value(day.precipitation_mm, ' mm')}"
        )
    return _with_footer(lines, forecast.other_matches, forecast.source, lang)


def render_matches(matches: PlaceMatches, lang: Lang) -> str:
    if not matches.places:
        return f"{_label('no_places', lang)}: {matches.query}"
    lines = [f"{_label('places_for', lang)} {matches.query}:"]
    lines += [f"- {place.label}: id {place.id}" for place in matches.places]
    return "\n".join(lines)


def _with_footer(lines: list[str], other_matches: int, source: str, lang: Lang) -> str:
    if other_matches:
        lines.append(_LABELS["ambiguous"][lang].format(n=other_matches))
    lines.append(f"{_label('source', lang)}: {source}")
    return "\n".join(lines)
