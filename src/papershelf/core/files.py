"""Writing a file so that a reader sees the old content or the whole new one, never a part,
removing the files a newer one of the same kind replaces, and taking turns between processes."""

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock; callers still write whole files or none
    fcntl = None  # type: ignore[assignment]


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk and rename it over `path`
    (the file is private to its owner: mode 0600). OSError when the folder cannot be written; a
    half-written temporary file is removed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)  # a no-op once replaced


def remove_other_versions(current: Path, prefix: str, *, older_than_s: float = 3600.0) -> None:
    """Remove the files beside `current` named like it (`prefix`, any digest, its suffix) but for
    other inputs, and temporary files of `write_atomically` for such names left over
    `older_than_s` ago (a writer killed mid-write); files that cannot be removed are left."""
    folder = current.parent
    stale = [path for path in folder.glob(f"{prefix}*{current.suffix}") if path != current]
    cutoff = time.time() - older_than_s
    for path in folder.glob(f".{prefix}*.tmp"):
        with suppress(OSError):
            if path.stat().st_mtime < cutoff:
                stale.append(path)
    for path in stale:
        with suppress(OSError):
            path.unlink()


@contextmanager
def held_lock(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on `lock_path` (created if missing, never removed) between processes
    and threads, where the system has flock; without it, no lock."""
    with open(lock_path, "a+b") as lock_file:
        if fcntl is not None:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
