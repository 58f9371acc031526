"""`papershelf serve`: the MCP server over stdio, Streamable HTTP or the tutorial's SSE."""

from pathlib import Path

import click

from papershelf.cli.context import AppContext, pass_app

DEFAULT_PORTS = {"http": 8000, "sse": 9002}


@click.command()
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http", "sse"]),
    default="stdio",
    show_default=True,
    help="stdio for hosts that launch the server (Claude Desktop, Cherry Studio, Cursor); http for "
    "Streamable HTTP at /mcp; sse for the legacy HTTP+SSE transport at /sse (the tutorial's client).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (http, sse). Loopback only unless you need it elsewhere.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (http, sse). Default: 8000 for http, 9002 for sse (as in the tutorial).",
)
@click.option(
    "--token",
    envvar="PAPERSHELF_SERVER_TOKEN",
    default=None,
    help="Require 'Authorization: Bearer TOKEN' on every HTTP request (or set PAPERSHELF_SERVER_TOKEN).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Another Host name clients may use (repeatable); loopback names and --host are always allowed.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes for --transport http (stateless, so they share the port and the load).",
)
@click.option("--allow-write", is_flag=True, help="Offer the add_paper tool (off by default).")
@click.option(
    "--root",
    "roots",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder add_paper may read local files from (repeatable); none by default.",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Let add_paper fetch from loopback and private network addresses.",
)
@pass_app
def serve(
    app: AppContext,
    transport: str,
    host: str,
    port: int | None,
    token: str | None,
    allowed_hosts: tuple[str, ...],
    workers: int,
    allow_write: bool,
    roots: tuple[Path, ...],
    allow_private_urls: bool,
) -> None:
    """Serve the library to MCP hosts: search_papers, list_papers, get_paper, read_paper and the
    tutorial's tools, with paper resources and prompts."""
    if (roots or allow_private_urls) and not allow_write:
        raise click.UsageError("--root and --allow-private-urls need --allow-write")
    if transport == "stdio" and token:
        raise click.UsageError("--token applies to --transport http or sse")
    if workers > 1 and transport != "http":
        raise click.UsageError(
            "--workers applies to --transport http (SSE sessions live in one process)"
        )
    # The server (and the MCP SDK) loads only for this command.
    from papershelf.server.app import serve as run_server
    from papershelf.server.security import WritePolicy

    policy = (
        WritePolicy(roots=roots, allow_private_urls=allow_private_urls) if allow_write else None
    )
    run_server(
        app.library,
        transport,  # type: ignore[arg-type]
        host=host,
        port=port or DEFAULT_PORTS.get(transport, 8000),
        token=token or None,
        write_policy=policy,
        allowed_hosts=allowed_hosts,
        workers=workers,
    )
