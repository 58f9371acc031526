"""What a command loads before it runs: library commands start without the MCP SDK, which only
ask, chat and the servers use, and without the parsers and the HTTP client, which only adding
papers uses."""

import subprocess
import sys

import pytest


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('MODULES', ' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.rpartition("MODULES ")[2].split())


def test_the_cli_loads_without_the_mcp_sdk() -> None:
    loaded = loaded_after("import papershelf.cli.main")
    assert "papershelf.cli.main" in loaded
    assert not {name for name in loaded if name == "mcp" or name.startswith("mcp.")}


@pytest.mark.parametrize("command", [["ask"], ["chat"], ["serve"], ["weather", "serve"]])
def test_the_commands_that_load_the_sdk_when_run_show_their_help_without_it(command) -> None:
    argv = ["papershelf", *command, "--help"]
    code = (
        f"sys.argv = {argv!r}\n"
        "from papershelf.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code"
    )
    loaded = loaded_after(code)
    assert not {name for name in loaded if name == "mcp" or name.startswith("mcp.")}


INGESTION = ("papershelf.library_ingest", "papershelf.ingest.pipeline", "papershelf.ingest.http")


def test_the_cli_and_the_library_load_without_the_parsers_and_the_http_client() -> None:
    loaded = loaded_after("import papershelf.cli.main, papershelf.library")
    assert "papershelf.library" in loaded
    assert not loaded & {*INGESTION, "httpx", "pypdfium2"}


def test_adding_a_paper_loads_them(tmp_path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# A note\n\nPixel shuffle trades spatial resolution for channels.\n")
    code = (
        "from papershelf import Library, Settings\n"
        f"with Library(Settings(home={str(tmp_path / 'home')!r}, embedder='none')) as library:\n"
        f"    assert library.add([{str(note)!r}]).ok"
    )
    assert set(INGESTION) <= loaded_after(code)
