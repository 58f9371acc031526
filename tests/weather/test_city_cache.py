"""The city-code cache: asked once per name, shared by servers, never lost or fatal."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from papershelf.weather.city_cache import CityCache
from papershelf.weather.models import Place
from papershelf.weather.server import build_weather_server, city_cache_path
from tests.weather.conftest import GEO, call_tool

pytestmark = pytest.mark.anyio


def place(id_: str, name: str = "北京") -> Place:
    return Place(id=id_, name=name, prefecture=name, province=f"{name}市", country="中国")


async def test_a_second_lookup_of_a_city_makes_no_http_call(qweather, weather_server):
    await call_tool(weather_server, "get_current_weather", city="北京")
    await call_tool(weather_server, "get_forecast", city="北京")
    assert len(qweather.requests_to(GEO)) == 1
    assert len(qweather.requests_to("/v7/weather/now")) == 1
    assert len(qweather.requests_to("/v7/weather/3d")) == 1


async def test_the_cache_outlives_the_server(qweather, settings):
    await call_tool(build_weather_server(settings), "get_current_weather", city="上海")
    await call_tool(build_weather_server(settings), "get_current_weather", city="上海")
    assert len(qweather.requests_to(GEO)) == 1


async def test_the_cache_lives_in_papershelf_home(weather_server, settings, papershelf_home):
    await call_tool(weather_server, "lookup_city", name="朝阳")
    path = city_cache_path(settings)
    assert path == papershelf_home / "weather" / "city_codes.json"
    entry = json.loads(path.read_text(encoding="utf-8"))["entries"]["zh|朝阳"]
    assert [p["id"] for p in entry["places"]] == ["101010300", "101071201", "101060110"]


async def test_spacing_and_case_do_not_make_a_new_entry(qweather, weather_server):
    await call_tool(weather_server, "get_current_weather", city="Beijing")
    await call_tool(weather_server, "get_current_weather", city="  BEIJING ")
    assert len(qweather.requests_to(GEO)) == 1


async def test_each_language_has_its_own_entry(qweather, weather_server):
    await call_tool(weather_server, "lookup_city", name="Beijing")
    await call_tool(weather_server, "lookup_city", name="Beijing", lang="en")
    await call_tool(weather_server, "lookup_city", name="北京")
    assert len(qweather.requests_to(GEO)) == 2


def test_a_write_leaves_only_the_cache_file_and_its_lock(tmp_path: Path):
    cache = CityCache(tmp_path / "weather" / "city_codes.json")
    cache.put("北京", "zh", [place("101010100")])
    cache.put("上海", "zh", [place("101020100", "上海")])
    names = sorted(p.name for p in (tmp_path / "weather").iterdir())
    assert names == ["city_codes.json", "city_codes.json.lock"]
    assert cache.get("北京", "zh")[0].id == "101010100"
    assert cache.get("上海", "zh")[0].id == "101020100"


def test_a_corrupt_cache_is_set_aside_and_rebuilt(tmp_path: Path):
    path = tmp_path / "city_codes.json"
    path.write_text('{"entries": {"zh|北京": ', encoding="utf-8")
    cache = CityCache(path)
    assert cache.get("北京", "zh") is None
    cache.put("北京", "zh", [place("101010100")])
    assert cache.get("北京", "zh")[0].id == "101010100"
    set_aside = list(tmp_path.glob("city_codes.json.corrupt-*"))
    assert len(set_aside) == 1
    assert set_aside[0].read_text(encoding="utf-8") == '{"entries": {"zh|北京": '


async def test_a_corrupt_cache_does_not_break_the_tools(qweather, weather_server, settings):
    path = city_cache_path(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe not json")
    result = await call_tool(weather_server, "get_current_weather", city="北京")
    assert not result.is_error
    assert json.loads(path.read_text(encoding="utf-8"))["entries"]["zh|北京"]


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from papershelf.weather.city_cache import CityCache
    from papershelf.weather.models import Place

    cache = CityCache(Path(sys.argv[1]))
    prefix = sys.argv[2]
    for n in range(40):
        name = f"{prefix}{n}"
        cache.put(name, "zh", [Place(id=name, name=name, prefecture="", province="", country="")])
    """
)


def test_two_processes_writing_at_once_keep_each_others_entries(tmp_path: Path):
    path = tmp_path / "weather" / "city_codes.json"
    path.parent.mkdir()
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), prefix])
        for prefix in ("a", "b")
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
    assert set(entries) == {f"zh|{prefix}{n}" for prefix in "ab" for n in range(40)}
