from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from annotator.errors import LibraryError
from annotator.journal.recovery import append_title
from annotator.library.index import ID_CEILING, OPTIMIZE_AFTER, LibraryIndex, fts_query, words_of
from annotator.models import Chunk
from tests.unit.library.helpers import write_session

DAY = 86_400.0
T0 = 1_764_087_603.0


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    d = tmp_path / "sessions"
    d.mkdir()
    write_session(d, [("Ada", "I led the Kubernetes migration"), ("Bob", "How long did it take?")], when=T0)
    write_session(d, [("You", "Tell me about your last role"), ("Them", "I managed a team of eight")], when=T0 + DAY)
    return d


def open_index(tmp_path: Path, sessions: Path) -> LibraryIndex:
    index = LibraryIndex.open(tmp_path / "data" / "library.sqlite3", sessions)
    index.refresh()
    return index


def test_lists_sessions_newest_first_with_their_facts(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    listed = index.sessions()
    assert len(listed) == 2
    newest, oldest = listed
    assert newest.created > oldest.created
    assert oldest.title == "" and oldest.shown_title == "Ada & Bob"  # the names the transcript gives
    assert newest.shown_title == "Tell me about your last role"  # only You/Them: the first line
    assert oldest.speakers == ("Ada", "Bob")
    assert oldest.flags == 1
    assert oldest.cost_usd == pytest.approx(0.0025)
    assert oldest.duration == pytest.approx(25.0)
    assert oldest.end_reason == "closed" and not oldest.unclean
    assert oldest.review == ""


def test_search_finds_lines_flags_and_notes_with_session_and_time(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    hits = index.search("kubernetes")
    kinds = {h.kind for h in hits}
    assert kinds == {"line", "flag"}
    line = next(h for h in hits if h.kind == "line")
    assert line.at == pytest.approx(10.0) and line.chunk_id == 1 and line.who == "Ada"
    assert line.title == "Ada & Bob" and "[Kubernetes]" in line.snippet
    assert [h.kind for h in index.search("migration")].count("note") == 2  # a note on each session
    assert index.search("migr")  # the last word is a prefix, so results come while typing
    assert index.search("nothing-like-this") == []
    assert index.search('team "eight') and index.search("AND OR NOT (") == []  # operators are words


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('say "hi" NEAR') == '"say" "hi" "NEAR"*'
    assert fts_query("   ") == ""


def test_a_changed_journal_is_reindexed_and_a_deleted_one_dropped(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    old = index.sessions()[1]
    before = Path(old.path).read_bytes()
    append_title(Path(old.path), "Ada, platform lead")
    refreshed = index.refresh()
    assert refreshed.indexed == (old.id,)
    assert index.sessions()[1].title == "Ada, platform lead"
    assert index.search("platform lead")[0].kind == "title"
    assert Path(old.path).read_bytes().startswith(before)  # the index only reads; the title is the app's record
    Path(old.path).unlink()
    assert index.refresh().dropped == (old.id,)
    assert [s.id for s in index.sessions()] != [old.id] and len(index.sessions()) == 1
    assert index.search("kubernetes") == []


def test_nothing_changed_means_nothing_reread(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    assert index.refresh().indexed == ()


def test_the_index_never_writes_a_journal(tmp_path: Path, sessions: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sessions.iterdir()}
    index = open_index(tmp_path, sessions)
    index.search("kubernetes")
    index.add_chunk(sorted(sessions.glob("*.jsonl"))[0], Chunk(99, "Ada", 40, 45, "late line"))
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sessions.iterdir()} == before


def test_an_unclean_session_is_marked(tmp_path: Path) -> None:
    d = tmp_path / "sessions"
    d.mkdir()
    write_session(d, [("You", "hello there")], when=T0, close=False)
    index = open_index(tmp_path, d)
    (session,) = index.sessions()
    assert session.unclean and session.end_reason is None


def test_a_journal_that_cannot_be_read_is_left_out_with_a_sentence(tmp_path: Path, sessions: Path) -> None:
    (sessions / "2020-01-01_00-00-00.jsonl").write_text("not a journal\n", encoding="utf-8")
    index = LibraryIndex.open(tmp_path / "library.sqlite3", sessions)
    refreshed = index.refresh()
    assert len(index.sessions()) == 2
    assert any("2020-01-01_00-00-00.jsonl: left out of the library" in w for w in refreshed.warnings)


def test_a_corrupt_index_is_moved_aside_and_rebuilt(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    index = LibraryIndex.open(path, sessions)
    refreshed = index.refresh()
    assert any("damaged" in w and "rebuilt" in w for w in refreshed.warnings)
    assert len(index.sessions()) == 2 and index.search("kubernetes")
    assert Path(f"{path}.corrupt").read_bytes().startswith(b"this is not")


def test_an_index_damaged_while_open_heals_on_the_next_use(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    index = open_index(tmp_path.joinpath("x"), sessions)
    index.close()
    index = LibraryIndex.open(path, sessions)
    index.refresh()
    index._conn.execute("DROP TABLE lines_fts")  # damage as another program might
    with pytest.raises(LibraryError, match="damaged and is being rebuilt"):
        index.search("kubernetes")
    index.refresh()
    assert index.search("kubernetes")


def test_a_missing_index_is_rebuilt(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    LibraryIndex.open(path, sessions).close()
    path.unlink()
    index = LibraryIndex.open(path, sessions)
    index.refresh()
    assert len(index.sessions()) == 2


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
            index.refresh()
    finally:
        other.execute("ROLLBACK")
        other.close()
    index.refresh()
    assert len(index.sessions()) == 2


def test_a_full_disk_is_one_sentence(tmp_path: Path, sessions: Path) -> None:
    write_session(sessions, [("You", f"line {i} " + "words " * 40) for i in range(500)], when=T0 + 2 * DAY)
    index = LibraryIndex.open(tmp_path / "library.sqlite3", sessions)
    index._conn.execute("PRAGMA max_page_count=1")  # SQLite's SQLITE_FULL, as on a full disk
    with pytest.raises(LibraryError, match="disk is full"):
        index.refresh()


def test_add_chunk_makes_a_live_line_searchable_once(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    index.add_chunk(live, Chunk(1, "You", 0.0, 2.0, "a brand new zebra line"), "2030-01-01T00:00:00+00:00")
    index.add_chunk(live, Chunk(1, "You", 0.0, 2.0, "a brand new zebra line"))
    assert len(index.search("zebra")) == 1
    assert index.sessions()[0].id == live.stem and index.sessions()[0].shown_title == "a brand new zebra line"


def test_the_index_file_is_private(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    if os.name == "posix":
        assert index.path.stat().st_mode & 0o777 == 0o600


def test_search_finds_the_corrected_line_not_the_misheard_one(tmp_path: Path, sessions: Path) -> None:
    from annotator.journal.recovery import append_correction

    index = open_index(tmp_path, sessions)
    oldest = index.sessions()[1]
    append_correction(Path(oldest.path), 1, "I led the Kafka migration")
    index.refresh()
    assert [h.chunk_id for h in index.search("kafka") if h.kind == "line"] == [1]
    assert [h.kind for h in index.search("kubernetes")] == ["flag"]  # the flag quotes what was said live


def test_an_index_of_another_version_is_rebuilt(tmp_path: Path, sessions: Path) -> None:
    path = tmp_path / "library.sqlite3"
    open_index(tmp_path, sessions).close()
    conn = sqlite3.connect(tmp_path / "data" / "library.sqlite3")
    conn.execute("PRAGMA user_version=1")
    conn.close()
    index = LibraryIndex.open(tmp_path / "data" / "library.sqlite3", sessions)
    refreshed = index.refresh()
    assert any("made by another version of annotator" in w for w in refreshed.warnings)
    assert len(index.sessions()) == 2 and not path.exists()
    assert not (tmp_path / "data" / "library.sqlite3.corrupt").exists()  # a sound old index is not kept


def test_search_takes_the_word_as_typed_first_then_as_a_prefix(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    (hit,) = index.search("tell", limit=1)  # the word itself fills the page: no prefix lookup
    assert "Tell me about your last role" in hit.text
    assert {h.text for h in index.search("mig")} >= {"I led the Kubernetes migration"}


def test_words_with_punctuation_are_searched_as_the_index_splits_them(tmp_path: Path, sessions: Path) -> None:
    assert words_of("don't e-mail Zoë_2") == ["don", "t", "e", "mail", "Zoë", "2"]
    assert fts_query("don't") == '"don" "t"'  # two words, not a phrase: the index keeps no positions
    index = open_index(tmp_path, sessions)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    index.add_chunk(live, Chunk(1, "You", 0.0, 2.0, "I don't use e-mail"), "2030-01-01T00:00:00+00:00")
    (hit,) = index.search("don't e-mail")
    assert hit.snippet == "I [don]'[t] use [e]-[mail]"


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
    hits = index.search("owls", limit=3)
    assert {h.title for h in hits} == {"session 49 line 0 about owls"}  # the newest session first
    assert [(h.kind, h.chunk_id) for h in hits] == [("flag", 20), ("line", 20), ("line", 19)]  # its last lines first
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_line_s_commit_never_merges_tidy_does(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    conn = index._conn
    assert conn.execute("SELECT v FROM lines_fts_config WHERE k='automerge'").fetchone() == (0,)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    rows = conn.execute("SELECT count(*) FROM lines_fts_data").fetchone()[0]
    for i in range(1, 9):
        index.add_chunk(live, Chunk(i, "You", i, i + 1, f"live line {i}"))
    grown = conn.execute("SELECT count(*) FROM lines_fts_data").fetchone()[0]
    assert grown >= rows + 8  # a segment per commit, none merged
    index.tidy()
    assert conn.execute("SELECT count(*) FROM lines_fts_data").fetchone()[0] < grown
    assert [h.chunk_id for h in index.search("live line")] == list(range(8, 0, -1))
