"""The SQLite store shared between threads and processes: one writer, many readers, clear waits."""

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.core.errors import StoreError
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import found_texts, make_document

# Each generation of the paper has its own passage count; every passage starts with the title,
# so a read that mixes two generations shows up as a title/passage/count mismatch.
READER = """
import json, sys
from pathlib import Path
from papershelf.storage.sqlite import SqliteStore

store = SqliteStore(Path(sys.argv[1]))
print("ready", flush=True)
reads, generations, mixed = 0, set(), []
while reads < 100_000:
    document = store.get_document("doc:1")
    reads += 1
    title = document.paper.title
    generations.add(title)
    starts = {passage.text.split()[0] for passage in document.passages}
    count = int(title.split("-")[1]) % 5 + 1
    if starts != {title} or len(document.passages) != count or document.content != title:
        mixed.append([title, sorted(starts), len(document.passages)])
    if title == "generation-999":
        break
print(json.dumps({"reads": reads, "generations": len(generations), "mixed": mixed[:5]}))
"""


def generation(number: int):
    title = f"generation-{number}"
    texts = [f"{title} passage {i}" for i in range(number % 5 + 1)]
    return make_document("doc:1", texts, title=title, content=title)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "papershelf.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(db_path)
    yield opened
    opened.close()


@pytest.fixture
def held_write_lock(store: SqliteStore, db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection in the middle of a write: it changed doc:1 but has not committed."""
    store.put(make_document("doc:1", ["zebra crossing"]))
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE papers SET title = 'uncommitted' WHERE id = 'doc:1'")
    yield writer
    writer.execute("ROLLBACK")
    writer.close()


def test_a_reader_process_sees_whole_papers_while_a_writer_replaces_them(
    store: SqliteStore, db_path: Path
) -> None:
    store.put(generation(0))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == "ready"
    for number in range(1, 60):
        store.put(generation(number))
    store.put(generation(999))
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    result = json.loads(out)
    assert result["mixed"] == []
    assert result["reads"] >= 1


def test_readers_see_the_last_commit_while_another_process_writes(
    store: SqliteStore, held_write_lock: sqlite3.Connection, db_path: Path
) -> None:
    assert store.get("doc:1").title == "A Study of Small Models"
    assert found_texts(store, "zebra") == ["zebra crossing"]
    other = SqliteStore(db_path)
    assert other.count() == 1
    other.close()


def test_a_write_while_another_process_writes_fails_with_a_clear_busy_error(
    held_write_lock: sqlite3.Connection, db_path: Path
) -> None:
    impatient = SqliteStore(db_path, busy_timeout_s=0.05)
    started = time.monotonic()
    with pytest.raises(StoreError, match="is busy: another papershelf process is writing; retry"):
        impatient.put(make_document("doc:2"))
    assert time.monotonic() - started < 5
    impatient.close()


def test_threads_share_one_store_each_with_its_own_connection(store: SqliteStore) -> None:
    store.put(make_document("doc:1", ["zebra crossing"]))
    results: list[list[str]] = []
    failures: list[BaseException] = []

    def search_and_write(number: int) -> None:
        try:
            results.append(found_texts(store, "zebra"))
            store.put(make_document(f"doc:t{number}", [f"thread {number} text"]))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=search_and_write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert results == [["zebra crossing"]] * 8
    assert store.count() == 9
