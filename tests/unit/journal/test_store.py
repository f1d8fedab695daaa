"""The saved sessions: unfinished ones, listing, lookup by id or prefix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.errors import InputError, JournalError
from annotator.journal.recovery import repair
from annotator.journal.store import find_unfinished, list_sessions, resolve_session
from annotator.journal.writer import Journal
from annotator.models import Chunk
from tests.unit.journal.helpers import FIXED, drop_end, journal_with_records


def test_find_unfinished_skips_closed_foreign_and_running_sessions(tmp_path: Path) -> None:
    closed = journal_with_records(tmp_path)
    unfinished = journal_with_records(tmp_path)
    drop_end(unfinished)
    (tmp_path / "notes.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    running = Journal.create(tmp_path, header={})
    try:
        running.write_chunk(Chunk(1, "", 0, 1, "live"))
        found = find_unfinished(tmp_path)
        assert found == [unfinished]
        assert closed not in found
        with pytest.raises(JournalError, match="being written by a running annotator"):
            repair(running.path)
    finally:
        running.close()
    assert find_unfinished(tmp_path) == [unfinished]
    assert find_unfinished(tmp_path / "missing") == []


def test_find_unfinished_defaults_to_the_sessions_directory(tmp_path: Path) -> None:
    path = journal_with_records(Path(os.environ["ANNOTATOR_DATA_DIR"]) / "sessions")
    drop_end(path)
    assert find_unfinished() == [path]


def test_list_and_resolve_sessions(tmp_path: Path) -> None:
    first = Journal.create(header={"model": "tiny.en"}, clock=lambda: FIXED)
    first.close()
    second = Journal.create(header={}, clock=lambda: FIXED + 90)
    second.write_chunk(Chunk(1, "", 0, 1, "x"))
    second.close()
    drop_end(second.path)
    first.path.with_suffix(".flac").write_bytes(b"fLaC")
    sessions = list_sessions()
    assert [s.path for s in sessions] == [second.path, first.path]
    assert [s.closed for s in sessions] == [False, True]
    assert sessions[1].audio_path == first.path.with_suffix(".flac")
    assert sessions[0].audio_path is None
    assert sessions[1].id == first.path.stem and sessions[1].created.startswith("2025-11-2")

    assert resolve_session(first.path.stem) == first.path
    assert resolve_session(str(second.path)) == second.path
    assert resolve_session(second.path.stem[:-1] + second.path.stem[-1]) == second.path
    with pytest.raises(InputError, match="ambiguous"):
        resolve_session(first.path.stem[:4])
    with pytest.raises(InputError, match=r"nope: no such file, and no session with that id"):
        resolve_session("nope")


def test_trash_session_sends_journal_and_audio_to_the_trash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.journal.store import trash_session
    from tests.helpers.trash import private_trash

    trash = private_trash(monkeypatch, tmp_path / "xdg")
    d = tmp_path / "sessions"
    d.mkdir()
    journal = journal_with_records(d)
    audio = journal.with_suffix(".flac")
    audio.write_bytes(b"fLaC")
    other = d / f"{journal.stem}.Them.flac"
    other.write_bytes(b"fLaC")
    keep = d / "2000-01-01_00-00-00.jsonl"
    keep.write_text("x", encoding="utf-8")
    sent = trash_session(journal)
    assert set(sent) == {journal, audio, other}
    assert not journal.exists() and not audio.exists() and not other.exists() and keep.exists()
    trashed = {p.name for p in trash.iterdir()}
    assert trashed == {journal.name, audio.name, other.name}
