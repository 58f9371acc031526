"""migrate: copy the library to another store (SQLite <-> MongoDB), verified."""

from typing import Any

import click

from papershelf.cli.context import AppContext, emit_json, json_option, pass_app
from papershelf.cli.index_cmds import stderr_progress
from papershelf.library_migrate import MigrationReport, display_uri, migrate_library


@click.command()
@click.option(
    "--to",
    "to_uri",
    required=True,
    help="Target store: sqlite:///path/to/file.db or mongodb://host:port/ (DB_NAME, COLLECTION_NAME).",
)
@click.option(
    "--from",
    "from_uri",
    default=None,
    help="Source store (default: the configured one, --store or $PAPERSHELF_STORE).",
)
@click.option(
    "--merge",
    is_flag=True,
    help="Accept a target that holds papers: same-id papers are replaced, the others kept.",
)
@click.option(
    "--embedder-id",
    "embedder_ids",
    multiple=True,
    metavar="ID",
    help="Also copy the vectors stored under this id (e.g. st:BAAI/bge-m3#text1); repeatable.",
)
@json_option
@pass_app
def migrate(
    app: AppContext,
    to_uri: str,
    from_uri: str | None,
    merge: bool,
    embedder_ids: tuple[str, ...],
    as_json: bool,
) -> None:
    """Copy every paper, its passages and vectors to another store, then verify the copy.

    Copies metadata, text, sections, passages, the vectors of the configured embedder (and of each
    --embedder-id) and the term lexicon's vectors; then compares counts and a checksum per paper
    between source and target (exit status 1 on any difference). The source is only read. A
    target that already holds papers is refused unless --merge; an interrupted run is finished by
    running it again with --merge.

    \b
    Examples:
      papershelf migrate --to mongodb://localhost:27017/
      papershelf migrate --from mongodb://db.lab:27017/ --to sqlite:///backup.db
    """
    source = from_uri or app.settings.store
    with stderr_progress("copying papers", as_json) as progress:
        task = progress.add_task("copying", total=None)

        def advance(done: int, total: int, paper_id: str) -> None:
            progress.update(task, completed=done, total=total)

        report = migrate_library(
            app.settings,
            to_uri,
            from_uri=from_uri,
            merge=merge,
            embedder_ids=embedder_ids,
            progress=advance,
        )
    if as_json:
        emit_json(_payload(report, source, to_uri))
    else:
        _print(report, source, to_uri)
    if not report.verified:
        raise click.exceptions.Exit(1)


def _payload(report: MigrationReport, source: str, target: str) -> dict[str, Any]:
    return {
        "from": display_uri(source),
        "to": display_uri(target),
        "papers": report.papers,
        "passages": report.passages,
        "vectors": report.vectors,
        "term_vectors": report.term_vectors,
        "replaced": report.replaced,
        "kept": report.kept,
        "kept_records": report.kept_records,
        "uncopied_vectors": report.uncopied_vectors,
        "verified": report.verified,
        "mismatches": report.mismatches,
        "problems": report.problems,
    }


def _print(report: MigrationReport, source: str, target: str) -> None:
    vectors = ", ".join(f"{n} vectors of {e}" for e, n in report.vectors.items()) or "no vectors"
    terms = sum(report.term_vectors.values())
    click.echo(
        f"copied {report.papers} paper(s), {report.passages} passage(s), {vectors} and "
        f"{terms} term vector(s) from {display_uri(source)} to {display_uri(target)}"
    )
    if report.replaced or report.kept:
        click.echo(
            f"merged: replaced {len(report.replaced)} paper(s) the target held under the same id, "
            f"kept {report.kept} other paper(s)"
        )
    if report.kept_records:
        click.echo(
            f"kept {report.kept_records} record(s) the tutorial's scripts wrote in the target as "
            "they were (papershelf indexes them when it opens that library)"
        )
    if report.uncopied_vectors:
        click.echo(
            f"note: {report.uncopied_vectors} vector(s) of other embedders were not copied; name "
            "their ids with --embedder-id, or run `papershelf reindex` on the target",
            err=True,
        )
    if report.verified:
        click.echo("verified: counts and checksums of every paper match")
        return
    if report.mismatches:
        shown = ", ".join(report.mismatches[:20]) + (" ..." if len(report.mismatches) > 20 else "")
        click.echo(
            f"error: {len(report.mismatches)} paper(s) differ between source and target: {shown}",
            err=True,
        )
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo("run the migration again with --merge to repair the copy", err=True)
