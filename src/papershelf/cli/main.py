"""The `papershelf` command: a thin shell over the library facade."""

import logging
import sys
from pathlib import Path

import click

from papershelf.cli.context import AppContext
from papershelf.core.errors import PapershelfError


class PapershelfGroup(click.Group):
    """Translates papershelf errors into a one-line message and exit status 1, for every command."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PapershelfError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=PapershelfGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papershelf")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for all papershelf state (default: $PAPERSHELF_HOME or ~/.papershelf).",
)
@click.option(
    "--store",
    default=None,
    help="Store URI, e.g. sqlite:///path/lib.db (default: $PAPERSHELF_STORE).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log details to stderr.")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, store: str | None, verbose: bool) -> None:
    """papershelf: a local research-paper library for language models.

    Add papers (arXiv ids or URLs, PDF, Markdown, HTML, text), search them as cited
    passages, and serve them to any MCP host.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)
    app = AppContext(home, store)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register_commands() -> None:
    from papershelf.cli import agent_cmds, browse, index_cmds, ingest_cmds, migrate, serve, weather

    for command in (
        ingest_cmds.add,
        ingest_cmds.import_,
        ingest_cmds.export,
        browse.list_,
        browse.show,
        browse.search,
        browse.rm,
        index_cmds.reindex,
        migrate.migrate,
        serve.serve,
        agent_cmds.ask,
        agent_cmds.chat,
        weather.weather,
    ):
        cli.add_command(command)


_register_commands()


def main() -> None:
    try:
        exit_code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except PapershelfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(exit_code if isinstance(exit_code, int) else 0)
