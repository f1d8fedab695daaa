"""Opening the index: created, healed (corrupt, damaged while open, missing, of another version), private;
what cannot be healed as one sentence; the tidy-up no line's commit pays for."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from annotator.errors import LibraryError
from annotator.library import listing
from annotator.library.index import LibraryIndex
from annotator.library.lines import add_chunk
from annotator.library.refresh import refresh
from annotator.library.search import search
from annotator.models import Chunk
from tests.unit.library.helpers import DAY, T0, open_index, write_session


def test_a_corrupt_index_is_moved_aside_and_rebuilt(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    index = LibraryIndex.open(path, sessions)
    refreshed = refresh(index)
    assert any("damaged" in w and "rebuilt" in w for w in refreshed.warnings)
    assert len(listing.sessions(index)) == 2 and search(index, "kubernetes")
    assert Path(f"{path}.corrupt").read_bytes().startswith(b"this is not")


def test_an_index_damaged_while_open_heals_on_the_next_use(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    index = open_index(tmp_path.joinpath("x"), sessions)
    index.close()
    index = LibraryIndex.open(path, sessions)
    refresh(index)
    index._conn.execute("DROP TABLE lines_fts")  # damage as another program might
    with pytest.raises(LibraryError, match="damaged and is being rebuilt"):
        search(index, "kubernetes")
    refresh(index)
    assert search(index, "kubernetes")


def test_a_missing_index_is_rebuilt(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    LibraryIndex.open(path, sessions).close()
    path.unlink()
    index = LibraryIndex.open(path, sessions)
    refresh(index)
    assert len(listing.sessions(index)) == 2


def test_a_second_instance_holding_the_database_is_one_sentence(
    tmp_path: Path, sessions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("annotator.library.index.BUSY_TIMEOUT_S", 0.05)
    path = tmp_path / "library.sqlite3"
    index = LibraryIndex.open(path, sessions)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        index._conn.execute("PRAGMA busy_timeout=50")
        with pytest.raises(LibraryError, match="held by another running annotator"):
            refresh(index)
    finally:
        other.execute("ROLLBACK")
        other.close()
    refresh(index)
    assert len(listing.sessions(index)) == 2


def test_a_full_disk_is_one_sentence(tmp_path: Path, sessions: Path) -> None:
    write_session(sessions, [("You", f"line {i} " + "words " * 40) for i in range(500)], when=T0 + 2 * DAY)
    index = LibraryIndex.open(tmp_path / "library.sqlite3", sessions)
    index._conn.execute("PRAGMA max_page_count=1")  # SQLite's SQLITE_FULL, as on a full disk
    with pytest.raises(LibraryError, match="disk is full"):
        refresh(index)


def test_the_index_file_is_private(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    if os.name == "posix":
        assert index.path.stat().st_mode & 0o777 == 0o600


def test_an_index_of_another_version_is_rebuilt(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    open_index(tmp_path, sessions).close()
    conn = sqlite3.connect(tmp_path / "data" / "library.sqlite3")
    conn.execute("PRAGMA user_version=1")
    conn.close()
    index = LibraryIndex.open(tmp_path / "data" / "library.sqlite3", sessions)
    refreshed = refresh(index)
    assert any("made by another version of annotator" in w for w in refreshed.warnings)
    assert len(listing.sessions(index)) == 2 and not path.exists()
    assert not (tmp_path / "data" / "library.sqlite3.corrupt").exists()  # a sound old index is not kept


def test_a_line_s_commit_never_merges_tidy_does(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    conn = index._conn
    assert conn.execute("SELECT v FROM lines_fts_config WHERE k='automerge'").fetchone() == (0,)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    rows = conn.execute("SELECT count(*) FROM lines_fts_data").fetchone()[0]
    for i in range(1, 9):
        add_chunk(index, live, Chunk(i, "You", i, i + 1, f"live line {i}"))
    grown = conn.execute("SELECT count(*) FROM lines_fts_data").fetchone()[0]
    assert grown >= rows + 8  # a segment per commit, none merged
    index.tidy()
    assert conn.execute("SELECT count(*) FROM lines_fts_data").fetchone()[0] < grown
    assert [h.chunk_id for h in search(index, "live line")] == list(range(8, 0, -1))
