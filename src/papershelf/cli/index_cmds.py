"""reindex: embed the passages that have no vector for the current embedder (after switching
embedders, or when an earlier embedding was interrupted); and the embedding progress bar that
`add` and `import` show too."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from papershelf.cli.context import AppContext, emit_json, json_option, pass_app

# Fewer passages than this embed in about a second: no bar for them.
SHOW_FROM = 64


def stderr_progress(label: str, quiet: bool, *, remaining: bool = False) -> Progress:
    """A transient bar on stderr (label, bar, n/total, elapsed[, remaining]); silent when `quiet`
    (JSON output) or when stderr is not a terminal."""
    err = Console(stderr=True)
    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if remaining:
        columns.append(TimeRemainingColumn())
    return Progress(*columns, console=err, transient=True, disable=quiet or not err.is_terminal)


@contextmanager
def embedding_progress(quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A callback for `Library.index` (and add/import) that draws a bar on stderr while passages
    are embedded; silent when `quiet`, when stderr is not a terminal, or for a few passages."""
    with stderr_progress("embedding passages", quiet, remaining=True) as progress:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < SHOW_FROM:
                return
            if task is None:
                task = progress.add_task("embedding", total=total)
            progress.update(task, completed=done, total=total)

        yield update


@click.command()
@click.option(
    "--lexical",
    is_flag=True,
    help="First rebuild the lexical (keyword) index and its counts from the stored passages.",
)
@json_option
@pass_app
def reindex(app: AppContext, lexical: bool, as_json: bool) -> None:
    """Embed every passage that has no vector for the current embedder (PAPERSHELF_EMBEDDER).

    `add` embeds new papers by itself; run this after changing the embedder, or when embedding
    was interrupted. Passages that already have vectors are skipped, so it is safe to rerun.
    With --lexical it first rebuilds the keyword index (a damaged index, or the counts a crash
    on a standalone MongoDB server left behind).
    """
    library = app.library
    if lexical:
        library.store.reindex()
        if not as_json:
            click.echo("rebuilt the lexical index")
    embedder = library.embedder
    if embedder is None:
        message = "the embedder is 'none' (dense search is off): nothing to embed"
        if as_json:
            emit_json({"lexical": lexical, "embedded": 0, "embedder": None, "note": message})
        else:
            click.echo(message)
        return
    with embedding_progress(quiet=as_json) as progress:
        embedded = library.index(progress)
    if as_json:
        emit_json({"lexical": lexical, "embedded": embedded, "embedder": embedder.model_id})
    else:
        click.echo(f"embedded {embedded} passage(s) with {embedder.model_id}")
