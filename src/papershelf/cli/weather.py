"""`papershelf weather`: the tutorial's weather MCP server (QWeather)."""

import click

from papershelf.cli.context import AppContext, pass_app
from papershelf.weather import DEFAULT_PORT


@click.group()
def weather() -> None:
    """Weather MCP server backed by QWeather (和风天气), independent of the paper library.

    Needs QWEATHER_API_HOST and QWEATHER_API_KEY (environment or .env); see docs/weather.md.
    """


@weather.command()
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http", "sse"]),
    default="stdio",
    show_default=True,
    help="stdio for a client that launches the server (Claude Desktop, Cherry Studio); "
    "http for Streamable HTTP at /mcp; sse for the legacy HTTP+SSE transport at /sse.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (http and sse). Loopback only unless you need it elsewhere.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (http and sse); 9001 as in the tutorial.",
)
@pass_app
def serve(app: AppContext, transport: str, host: str, port: int) -> None:
    """Serve the weather tools: get_current_weather, get_forecast and lookup_city."""
    from papershelf.weather.server import serve_weather  # the MCP SDK loads for this command only

    serve_weather(app.settings, transport, host, port)  # type: ignore[arg-type]
