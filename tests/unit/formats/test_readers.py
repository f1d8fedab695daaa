"""Reading by suffix: golden files and round trips read back, every kind of file that is not one we read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.readers import kind_of, read_chunks, read_session
from annotator.formats.writers import export
from annotator.journal.record import SessionRecord
from tests.unit.formats.helpers import GOLDEN, TRICKY, golden_session, write


def test_golden_files_read_back_into_the_same_session(data_dir: Path) -> None:
    record = golden_session(data_dir)
    for fmt in ("srt", "vtt"):
        chunks = read_chunks(GOLDEN / f"session.{fmt}")
        assert [(c.source, c.start, c.end, c.text) for c in chunks] == [
            (c.source, c.start, c.end, c.text) for c in record.chunks
        ]
    assert read_session(GOLDEN / "session.json") == record


@pytest.mark.parametrize("fmt", ["srt", "vtt", "json"])
def test_round_trip_through_the_readers(tmp_path: Path, fmt: str) -> None:
    record = SessionRecord(header={"created": "2026-01-01T00:00:00"}, chunks=TRICKY)
    path = tmp_path / f"out.{fmt}"
    path.write_text(export(record, fmt), encoding="utf-8")
    back = read_chunks(path)
    expected = list(TRICKY)
    assert [(c.source, c.start, c.end, c.text) for c in back] == [(c.source, c.start, c.end, c.text) for c in expected]
    if fmt == "json":
        assert [c.id for c in back] == [1, 2, 5, 6]


def test_kind_of_dispatches_by_extension() -> None:
    assert kind_of(Path("a.JSONL")) == "session"
    assert kind_of(Path("a.json")) == "session"
    assert kind_of(Path("a.txt")) == "transcript"
    assert kind_of(Path("a.srt")) == "transcript"
    assert kind_of(Path("a.vtt")) == "transcript"
    assert kind_of(Path("a.flac")) == "audio"
    assert kind_of(Path("a.mp3")) == "audio"


def test_audio_is_not_read_as_text(tmp_path: Path) -> None:
    p = write(tmp_path, "talk.wav", b"RIFF\x00\x00")
    with pytest.raises(InputError, match="audio file"):
        read_chunks(p)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_chunks(tmp_path / "nope.txt")
    d = tmp_path / "dir.srt"
    d.mkdir()
    with pytest.raises(InputError, match=r"dir\.srt: is a directory"):
        read_chunks(d)


def test_unknown_extensions_are_audio_unless_they_are_text(tmp_path: Path) -> None:
    assert kind_of(write(tmp_path, "voice.amr", b"#!AMR\n\x00\x01\x02")) == "audio"
    with pytest.raises(InputError, match=r"notes\.md: unknown file type '\.md'; transcripts are read from"):
        kind_of(write(tmp_path, "notes.md", "# Notes\nAnna: hi\n"))
    with pytest.raises(InputError, match=r"gone\.xyz: no such file"):
        kind_of(tmp_path / "gone.xyz")


def test_read_chunks_of_a_hand_written_journal_skips_a_torn_last_line(tmp_path: Path) -> None:
    header = {
        "type": "header",
        "seq": 0,
        "format": "annotator-session",
        "version": 1,
        "created": "2026-01-01T00:00:00+00:00",
    }
    chunk = {"type": "chunk", "seq": 1, "id": 7, "source": "You", "start": 0.5, "end": 2.0, "text": "Hello."}
    p = write(tmp_path, "s.jsonl", json.dumps(header) + "\n" + json.dumps(chunk) + '\n{"type": "chunk", "id": 8, "te')
    assert [(c.id, c.source, c.text) for c in read_chunks(p)] == [(7, "You", "Hello.")]
    record = read_session(p)
    assert not record.closed_cleanly
    assert any("s.jsonl:3: the last record was cut off" in w for w in record.warnings)


def test_a_journal_from_a_newer_version_gives_a_clear_message(tmp_path: Path) -> None:
    header = {"type": "header", "seq": 0, "format": "annotator-session", "version": 99}
    p = write(tmp_path, "new.jsonl", json.dumps(header) + "\n")
    with pytest.raises(InputError, match=r"new\.jsonl:1: written by a newer annotator \(session format version 99"):
        read_chunks(p)


def test_a_jsonl_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "other.jsonl", '{"a": 1}\n')
    with pytest.raises(InputError, match=r"other\.jsonl:1: not an annotator session journal"):
        read_chunks(p)
    p = write(tmp_path, "bin.jsonl", bytes(range(256)))
    with pytest.raises(InputError, match=r"bin\.jsonl:1: not an annotator session journal"):
        read_chunks(p)
