"""add, import, export: getting papers in and out."""

import sys
from pathlib import Path

import click

from papershelf.cli.context import AppContext, emit_json, json_option, pass_app
from papershelf.cli.index_cmds import embedding_progress, stderr_progress
from papershelf.cli.render import paper_filter_options, report_payload
from papershelf.core.errors import InputError
from papershelf.core.models import PaperFilter
from papershelf.ingest.results import AddResult
from papershelf.library import AddReport

OUTCOME_STYLE: dict[str, dict[str, object]] = {
    "added": {"fg": "green"},
    "replaced": {"fg": "cyan"},
    "unchanged": {"dim": True},
    "skipped": {"fg": "yellow"},
}


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-c",
    "--collection",
    default=None,
    help="Collection to put the papers in (default: $COLLECTION_NAME).",
)
@json_option
@pass_app
def add(app: AppContext, inputs: tuple[str, ...], collection: str | None, as_json: bool) -> None:
    """Add papers: arXiv ids or URLs, PDF/Markdown/HTML/text files, folders (recursively), globs, URLs.

    Re-adding a paper changes nothing; a newer arXiv version replaces the older one.
    Bad inputs are skipped and listed at the end (exit status 1).

    \b
    Examples:
      papershelf add 2504.05299 https://arxiv.org/abs/2501.09898v4
      papershelf add ~/papers/ notes/*.md
    """
    library = app.library
    sources, _ = library.plan(list(inputs))
    with (
        stderr_progress("[progress.description]{task.description}", as_json) as progress,
        embedding_progress(quiet=as_json) as embedding_bar,
    ):
        task = progress.add_task("adding", total=len(sources))

        def advance(label: str, result: AddResult | None, error: str | None) -> None:
            progress.update(task, advance=1, description=_short(label))
            if not as_json:
                _print_result(label, result, error)

        report = library.add(
            list(inputs), collection=collection, progress=advance, index_progress=embedding_bar
        )
    _finish(report, as_json)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-c",
    "--collection",
    default=None,
    help="Collection to import into (default: $COLLECTION_NAME).",
)
@json_option
@pass_app
def import_(app: AppContext, file: Path, collection: str | None, as_json: bool) -> None:
    """Import the tutorial's MongoDB export (essay_database.ai_essay.json, extended JSON with $oid)."""
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    with embedding_progress(quiet=as_json) as embedding_bar:
        report = app.library.import_tutorial(
            file, collection=collection, index_progress=embedding_bar
        )
    if not as_json:
        for result in report.results:
            _print_result(result.source, result, None)
    _finish(report, as_json)


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: stdout).",
)
@paper_filter_options
@pass_app
def export(app: AppContext, output: Path | None, **filters: object) -> None:
    """Export papers in the tutorial's MongoDB export format (round-trips with `import`)."""
    data = app.library.export_tutorial(PaperFilter(**filters))  # type: ignore[arg-type]
    if output is None:
        sys.stdout.buffer.write(data)
        return
    if not output.parent.is_dir():
        raise InputError(f"cannot write {output}: folder {output.parent} does not exist")
    tmp = output.with_name(output.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    click.echo(f"wrote {output}", err=True)


def _print_result(label: str, result: AddResult | None, error: str | None) -> None:
    if result is None:
        return  # failures are listed together at the end
    note = f" ({result.note})" if result.note else ""
    click.echo(
        click.style(f"{result.outcome:<10} ", **OUTCOME_STYLE[result.outcome])  # type: ignore[arg-type]
        + f"{result.paper.id}  {result.paper.title[:70]}{note}"
    )


def _finish(report: AddReport, as_json: bool) -> None:
    if as_json:
        emit_json(report_payload(report))
    elif len(report.failures) == 1 and not report.results:
        label, message = report.failures[0]
        click.echo(f"error: {label}: {message}", err=True)
    elif report.failures:
        click.secho(f"\n{len(report.failures)} input(s) failed:", fg="red", err=True)
        for label, message in report.failures:
            click.echo(f"  {label}: {message}", err=True)
    if report.failures:
        raise click.exceptions.Exit(1)


def _short(label: str) -> str:
    return label if len(label) <= 40 else "…" + label[-39:]
