"""The facade: wires settings, store and the ingestion pipeline; what the CLI and servers call."""

from papershelf.core.settings import Settings


class Library:
    """A paper library on one store. Filled in by the foundation work."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
