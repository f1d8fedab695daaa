"""Catching up with the journals: new and changed ones read, deleted ones dropped, unreadable ones
left out with a sentence, the journals never written; a rebuild ends compacted."""

from __future__ import annotations

from pathlib import Path

from annotator.journal.recovery import append_title
from annotator.library import listing
from annotator.library.index import LibraryIndex
from annotator.library.lines import ID_CEILING, add_chunk
from annotator.library.refresh import OPTIMIZE_AFTER, refresh
from annotator.library.search import search
from annotator.models import Chunk
from tests.unit.library.helpers import DAY, T0, open_index, write_session


def test_a_changed_journal_is_reindexed_and_a_deleted_one_dropped(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    old = listing.sessions(index)[1]
    before = Path(old.path).read_bytes()
    append_title(Path(old.path), "Ada, platform lead")
    refreshed = refresh(index)
    assert refreshed.indexed == (old.id,)
    assert listing.sessions(index)[1].title == "Ada, platform lead"
    assert search(index, "platform lead")[0].kind == "title"
    assert Path(old.path).read_bytes().startswith(before)  # the index only reads; the title is the app's record
    Path(old.path).unlink()
    assert refresh(index).dropped == (old.id,)
    assert [s.id for s in listing.sessions(index)] != [old.id] and len(listing.sessions(index)) == 1
    assert search(index, "kubernetes") == []


def test_nothing_changed_means_nothing_reread(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    assert refresh(index).indexed == ()


def test_the_index_never_writes_a_journal(tmp_path: Path, sessions: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sessions.iterdir()}
    index = open_index(tmp_path, sessions)
    search(index, "kubernetes")
    add_chunk(index, sorted(sessions.glob("*.jsonl"))[0], Chunk(99, "Ada", 40, 45, "late line"))
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sessions.iterdir()} == before


def test_a_journal_that_cannot_be_read_is_left_out_with_a_sentence(tmp_path: Path, sessions: Path) -> None:
    (sessions / "2020-01-01_00-00-00.jsonl").write_text("not a journal\n", encoding="utf-8")
    index = LibraryIndex.open(tmp_path / "library.sqlite3", sessions)
    refreshed = refresh(index)
    assert len(listing.sessions(index)) == 2
    assert any("2020-01-01_00-00-00.jsonl: left out of the library" in w for w in refreshed.warnings)


def test_search_finds_the_corrected_line_not_the_misheard_one(tmp_path: Path, sessions: Path) -> None:
    from annotator.journal.recovery import append_correction

    index = open_index(tmp_path, sessions)
    oldest = listing.sessions(index)[1]
    append_correction(Path(oldest.path), 1, "I led the Kafka migration")
    refresh(index)
    assert [h.chunk_id for h in search(index, "kafka") if h.kind == "line"] == [1]
    assert [h.kind for h in search(index, "kubernetes")] == ["flag"]  # the flag quotes what was said live


def test_a_rebuild_leaves_no_free_pages_and_small_positive_line_ids(tmp_path: Path) -> None:
    d = tmp_path / "sessions"
    d.mkdir()
    for n in range(OPTIMIZE_AFTER):
        write_session(d, [("You", f"session {n} line {i} about owls") for i in range(20)], when=T0 + n * DAY)
    index = open_index(tmp_path, d)
    conn = index._conn
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # VACUUMed after the rebuild
    lowest, highest = conn.execute("SELECT min(id), max(id) FROM lines").fetchone()
    assert 0 < lowest <= highest < ID_CEILING
    hits = search(index, "owls", limit=3)
    assert {h.title for h in hits} == {"session 49 line 0 about owls"}  # the newest session first
    assert [(h.kind, h.chunk_id) for h in hits] == [("flag", 20), ("line", 20), ("line", 19)]  # its last lines first
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
