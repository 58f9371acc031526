"""A server's search warmed up in the background: the searcher is made (the library opened) and
searched once in another thread, so what a first search loads is loaded before a host's first
question (docs/mcp.md, "Warm-up")."""

import logging
import threading
from collections.abc import Callable

from papershelf.search.hybrid import Searcher

log = logging.getLogger(__name__)


class BackgroundWarmUp:
    """At most one warm-up thread at a time for one library's searcher."""

    def __init__(self, searcher: Callable[[], Searcher]):
        self._searcher = searcher
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> threading.Thread:
        """The warm-up thread, started (the one running, when there is one). A failure to make
        the searcher is logged: the first request meets it again."""
        if self._thread is not None:
            return self._thread

        def warm_up() -> None:
            try:
                searcher = self._searcher()
            except Exception as exc:  # the first request reports it
                log.warning("search warm-up skipped: %s", exc)
                return
            searcher.warm_up(self._stop)

        self._stop.clear()
        self._thread = threading.Thread(target=warm_up, name="papershelf-warm-up", daemon=True)
        self._thread.start()
        return self._thread

    def stop_and_wait(self) -> None:
        """Stop the warm-up between its searches and wait for the one under way: the store must
        not be closed under it (sqlite3 closing a connection in use crashes the process)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
