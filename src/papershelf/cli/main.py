"""The `papershelf` command: a thin shell over the library facade."""

import sys

import click

from papershelf.core.errors import PapershelfError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papershelf")
def cli() -> None:
    """papershelf: a local research-paper library for language models (MCP server and agent)."""


def _register_commands() -> None:
    from papershelf.cli import weather

    cli.add_command(weather.weather)


def main() -> None:
    _register_commands()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except PapershelfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(0)
