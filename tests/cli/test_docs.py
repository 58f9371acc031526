from pathlib import Path

from papershelf.cli.docs import render

CLI_MD = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_cli_reference_matches_the_commands_help():
    assert CLI_MD.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m papershelf.cli.docs > docs/cli.md`"
    )
