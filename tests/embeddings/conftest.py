import pytest

from papershelf.embeddings.universal import UniversalSentenceEncoder


@pytest.fixture(scope="session")
def use_model() -> UniversalSentenceEncoder:
    """The real default embedder, loaded once (its weights ship in the package: no download)."""
    return UniversalSentenceEncoder()
