"""`papershelf serve`: its options and the mistakes it refuses before starting anything."""

from click.testing import CliRunner

from papershelf.cli.serve import DEFAULT_PORTS
from tests.server.serve_entry import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["serve", *args])


def test_serve_help_names_the_three_transports_and_their_ports():
    result = run("--help")
    assert result.exit_code == 0
    assert "stdio" in result.output and "/mcp" in result.output and "/sse" in result.output
    assert DEFAULT_PORTS == {"http": 8000, "sse": 9002}


def test_a_root_without_allow_write_is_a_usage_error(tmp_path):
    result = run("--root", str(tmp_path))
    assert result.exit_code == 2 and "--allow-write" in result.output


def test_a_token_on_stdio_is_a_usage_error():
    result = run("--token", "secret")
    assert result.exit_code == 2 and "--transport http or sse" in result.output


def test_an_unknown_transport_is_a_usage_error():
    assert run("--transport", "websocket").exit_code == 2
