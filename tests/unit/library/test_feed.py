"""The feed: updates applied off the caller's thread, what queued up in one transaction, a
checkpoint when idle; and what a crash in the middle of all that costs (a re-read of the journal)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError, LibraryError
from annotator.journal.writer import Journal
from annotator.library import feed as feed_module
from annotator.library import listing
from annotator.library.feed import IndexFeed
from annotator.library.index import LibraryIndex
from annotator.library.lines import add_chunk, add_line
from annotator.library.refresh import refresh
from annotator.library.search import search
from annotator.library.summary import IndexedLine
from annotator.models import Chunk
from tests.unit.library.helpers import write_session

T0 = 1_764_087_603.0
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    d = tmp_path / "sessions"
    d.mkdir()
    write_session(d, [("Ada", "I led the Kubernetes migration"), ("Bob", "How long did it take?")], when=T0)
    return d


def open_feed(
    tmp_path: Path,
    sessions: Path,
    trace: Callable[[str], object] | None = None,
    on_error: Callable[[AnnotatorError], None] | None = None,
) -> tuple[IndexFeed, LibraryIndex]:
    """A feed over a refreshed index, ``trace`` called with every statement the index's connection runs."""
    index = LibraryIndex.open(tmp_path / "library.sqlite3", sessions)
    refresh(index)
    index._conn.set_trace_callback(trace)
    return IndexFeed(lambda: index, on_error=on_error), index


def blocked(feed: IndexFeed) -> threading.Event:
    """Hold the worker on an update until the returned event is set, so what is put meanwhile queues up."""
    release, started = threading.Event(), threading.Event()

    def hold(index: LibraryIndex) -> None:
        started.set()
        release.wait(10)

    feed.put(hold)
    assert started.wait(10)
    return release


def test_what_queued_up_is_one_transaction_in_order(tmp_path: Path, sessions: Path) -> None:
    statements: list[str] = []
    feed, _index = open_feed(tmp_path, sessions, trace=statements.append)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    release = blocked(feed)
    del statements[:]
    for i in range(1, 31):
        chunk = Chunk(i, "You", i * 5.0, i * 5.0 + 4.0, f"live line number{i} zebra")
        feed.put(lambda index, chunk=chunk: add_chunk(index, live, chunk))
    release.set()
    assert feed.wait_idle(10)
    commits = [s for s in statements if s.strip().upper() == "COMMIT"]
    assert len(commits) == 2  # the held update's transaction, then the 30 lines' one
    hits = feed.call(lambda index: search(index, "zebra"))
    assert [h.chunk_id for h in hits] == list(range(30, 0, -1))  # newest first: the order they were put in
    assert {s.id: s.chunks for s in feed.call(listing.sessions)}[live.stem] == 30
    feed.close()


def test_an_update_that_fails_in_a_batch_is_undone_alone(tmp_path: Path, sessions: Path) -> None:
    feed, _index = open_feed(tmp_path, sessions)
    journal = sorted(sessions.glob("*.jsonl"))[0]

    def half_done(index: LibraryIndex) -> None:
        add_line(index, journal, IndexedLine("note", 1.0, "a yak note that must not stay"))
        raise AnnotatorError("this update fails after writing")

    release = blocked(feed)
    feed.put(lambda index: add_line(index, journal, IndexedLine("note", 1.0, "first yak note")))
    feed.put(half_done)
    feed.put(lambda index: add_line(index, journal, IndexedLine("note", 2.0, "second yak note")))
    release.set()
    assert feed.wait_idle(10)
    assert [h.text for h in feed.call(lambda index: search(index, "yak"))] == ["second yak note", "first yak note"]
    feed.close()


def test_a_library_error_in_a_batch_is_one_sentence_and_the_next_batch_goes_on(tmp_path: Path, sessions: Path) -> None:
    errors: list[AnnotatorError] = []
    feed, _index = open_feed(tmp_path, sessions, on_error=errors.append)
    journal = sorted(sessions.glob("*.jsonl"))[0]

    def full(index: LibraryIndex) -> None:
        raise LibraryError("the disk is full")

    release = blocked(feed)
    feed.put(lambda index: add_line(index, journal, IndexedLine("note", 1.0, "lost owl note")))
    feed.put(full)
    release.set()
    assert feed.wait_idle(10)
    assert [str(e) for e in errors] == ["the disk is full"]
    assert feed.call(lambda index: search(index, "owl")) == []  # the whole transaction was undone
    feed.put(lambda index: add_line(index, journal, IndexedLine("note", 1.0, "kept owl note")))
    assert feed.wait_idle(10)
    assert [h.text for h in feed.call(lambda index: search(index, "owl"))] == ["kept owl note"]
    feed.close()


def test_the_wal_is_checkpointed_when_the_feed_is_idle(
    tmp_path: Path, sessions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "IDLE_S", 0.05)
    checkpointed = threading.Event()
    feed, index = open_feed(
        tmp_path, sessions, trace=lambda sql: checkpointed.set() if "wal_checkpoint" in sql else None
    )
    journal = sorted(sessions.glob("*.jsonl"))[0]
    feed.put(lambda index: add_chunk(index, journal, Chunk(9, "Ada", 50, 55, "one more line")))
    assert feed.wait_idle(10)
    assert checkpointed.wait(10)
    busy, wal_pages, done = index._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and wal_pages == done  # nothing left in the WAL that is not in the file
    feed.close()


CRASH = """
import os, sys
from pathlib import Path
from annotator.journal.writer import Journal
from annotator.library.index import LibraryIndex
from annotator.library.lines import add_chunk
from annotator.library.refresh import refresh
from annotator.models import Chunk

index_path, sessions, when = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
index = LibraryIndex.open(index_path, sessions)
refresh(index)
journal = Journal.create(sessions, header={"model": "tiny.en"}, clock=lambda: 1_900_000_000.0)
for i in range(1, 6):  # committed one by one, never checkpointed
    chunk = Chunk(i, "You", i * 5.0, i * 5.0 + 4.0, f"committed walrus line {i}")
    journal.write_chunk(chunk)
    add_chunk(index, journal.path, chunk)
chunk = Chunk(6, "You", 30.0, 34.0, "journaled walrus line that the index never committed")
journal.write_chunk(chunk)
journal.sync()  # the journal's writer thread has written everything it was handed
with index.transaction():
    for i in range(7, 12):
        add_chunk(index, journal.path, Chunk(i, "You", i * 5.0, i * 5.0 + 4.0, f"uncommitted gnu line {i}"))
    if when == "mid-batch":
        os._exit(9)
os._exit(9)
"""


@pytest.mark.parametrize("when", ["mid-batch", "after-commit"])
def test_a_crash_costs_at_most_a_reread_of_that_session(tmp_path: Path, sessions: Path, when: str) -> None:
    index_path = tmp_path / "library.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    died = subprocess.run(
        [sys.executable, "-c", CRASH, str(index_path), str(sessions), when], env=env, timeout=120, check=False
    )
    assert died.returncode == 9
    assert Path(f"{index_path}-wal").stat().st_size > 0  # the process died before any checkpoint
    index = LibraryIndex.open(index_path, sessions)
    assert index._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    committed = [h.chunk_id for h in search(index, "walrus")]
    assert committed == [5, 4, 3, 2, 1]  # what was committed survived the crash (in the WAL)
    assert bool(search(index, "gnu")) == (when == "after-commit")  # a batch is all or nothing
    (live,) = (s for s in listing.sessions(index) if s.id != sorted(sessions.glob("*.jsonl"))[0].stem)
    refreshed = refresh(index)
    assert live.id in refreshed.indexed  # its row never matched the journal: re-read
    assert sorted(h.chunk_id or 0 for h in search(index, "walrus")) == [1, 2, 3, 4, 5, 6]  # the journal's lines
    assert search(index, "gnu") == []  # never journaled, so gone once the journal is re-read
    assert refresh(index).indexed == ()
    index.close()


def test_a_live_session_indexed_then_written_on_is_reread(tmp_path: Path, sessions: Path) -> None:
    index = LibraryIndex.open(tmp_path / "library.sqlite3", sessions)
    journal = Journal.create(sessions, header={"model": "tiny.en"}, clock=lambda: T0 + 100)
    journal.write_chunk(Chunk(1, "You", 0, 4, "first heron line"))
    assert journal.sync(10)
    refresh(index)
    journal.write_chunk(Chunk(2, "You", 5, 9, "second heron line"))  # the index's add of it was lost
    assert journal.sync(10)
    assert [h.chunk_id for h in search(index, "heron")] == [1]
    assert refresh(index).indexed == (journal.path.stem,)
    assert [h.chunk_id for h in search(index, "heron")] == [2, 1]
    journal.close()


def test_updates_that_never_pause_still_checkpoint(
    tmp_path: Path, sessions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "IDLE_S", 3600.0)
    monkeypatch.setattr(feed_module, "CHECKPOINT_AFTER", 3)
    checkpointed = threading.Event()
    feed, _index = open_feed(
        tmp_path, sessions, trace=lambda sql: checkpointed.set() if "wal_checkpoint" in sql else None
    )
    journal = sorted(sessions.glob("*.jsonl"))[0]
    for i in range(3):
        assert not checkpointed.is_set()
        feed.put(lambda index, i=i: add_chunk(index, journal, Chunk(10 + i, "Ada", 50, 55, "another line")))
        assert feed.wait_idle(10)  # three transactions, no pause of IDLE_S between them
    assert checkpointed.wait(10)
    feed.close()
