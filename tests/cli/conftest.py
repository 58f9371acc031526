import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from papershelf.cli.main import cli


class Shelf:
    """Runs papershelf commands in-process against the test's PAPERSHELF_HOME."""

    def __init__(self, home: Path):
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(cli, list(args), catch_exceptions=False)

    def database_digest(self) -> str:
        """A fingerprint of the stored library (papers, passages), to show a command changed nothing."""
        result = self("list", "--json", "--limit", "10000")
        return hashlib.sha256(result.stdout.encode()).hexdigest()


@pytest.fixture
def shelf(papershelf_home: Path) -> Shelf:
    return Shelf(papershelf_home)
