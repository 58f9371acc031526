import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.support.replay_server", "tests.support.mongo_server"]

CORPUS = Path(
    os.environ.get(
        "PAPERSHELF_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    )
)

_LEAKY_ENV = (
    "PAPERSHELF_STORE",
    "PAPERSHELF_LLM_URL",
    "PAPERSHELF_LLM_MODEL",
    "PAPERSHELF_LLM_ENRICH",
    "MONGO_URI",
    "DB_NAME",
    "COLLECTION_NAME",
    "OLLAMA_BASE_URL",
    "OLLAMA_MODEL",
    "QWEATHER_API_HOST",
    "QWEATHER_API_KEY",
    "OPENAI_API_KEY",
    "PAPERSHELF_EMBEDDER",
    "PAPERSHELF_EMBEDDINGS_QUERY_PREFIX",
    "PAPERSHELF_EMBEDDINGS_DOCUMENT_PREFIX",
)


@pytest.fixture(autouse=True)
def papershelf_home(tmp_path, monkeypatch):
    """Every test gets its own PAPERSHELF_HOME and a working directory without a .env."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PAPERSHELF_HOME", str(home))
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(
            f"shared corpus not found at {CORPUS} (clone with ../shared beside the checkout)"
        )
    return CORPUS
