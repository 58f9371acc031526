"""What a command loads before it runs: library commands start without the MCP SDK, which only
ask, chat and the servers use."""

import subprocess
import sys


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_cli_loads_without_the_mcp_sdk() -> None:
    loaded = loaded_after("import papershelf.cli.main")
    assert "papershelf.cli.main" in loaded
    assert not {name for name in loaded if name == "mcp" or name.startswith("mcp.")}


def test_the_commands_that_need_the_sdk_load_it() -> None:
    for module in (
        "papershelf.cli.agent_run",
        "papershelf.server.app",
        "papershelf.weather.server",
    ):
        assert "mcp" in loaded_after(f"import {module}")
