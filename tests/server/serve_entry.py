"""Runs `papershelf serve ...` in a subprocess for the transport tests (the CLI with `serve`
registered, whether or not cli/main.py registers it yet)."""

from papershelf.cli.main import cli, main
from papershelf.cli.serve import serve

if "serve" not in cli.commands:
    cli.add_command(serve)

if __name__ == "__main__":
    main()
