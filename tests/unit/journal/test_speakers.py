"""Speaker ids and names in the journal, its JSON export, and journals from before them."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.formats.json import read_json, to_json
from annotator.journal.reader import read_journal
from annotator.journal.recovery import append_speaker
from annotator.journal.writer import Journal
from annotator.models import Chunk, SpeakerName
from tests.unit.journal.helpers import lines_of


def session_with_speakers(directory: Path) -> Path:
    journal = Journal.create(directory, header={"model": "tiny.en"})
    journal.write_chunk(Chunk(1, "You", 0.0, 2.0, "How long have you led the team?", "S1"))
    journal.write_chunk(Chunk(2, "You", 2.5, 5.0, "About three years.", "S2"))
    journal.write_speaker(SpeakerName("S2", "Candidate"))
    journal.write_chunk(Chunk(3, "You", 5.5, 7.0, "And before that?", "S1"))
    journal.close()
    return journal.path


def test_ids_and_names_are_journaled_and_read_back(tmp_path: Path) -> None:
    path = session_with_speakers(tmp_path)
    raw = lines_of(path)
    assert raw[1]["speaker"] == "S1" and "speaker_name" not in raw[1]
    assert {k: raw[3][k] for k in ("type", "id", "name")} == {"type": "speaker", "id": "S2", "name": "Candidate"}
    record = read_journal(path)
    assert record.warnings == ()
    assert [(c.speaker, c.speaker_name, c.who) for c in record.chunks] == [
        ("S1", "", "S1"),
        ("S2", "Candidate", "Candidate"),  # named after it was said: the name applies to every line
        ("S1", "", "S1"),
    ]
    assert record.names == {"S2": "Candidate"}


def test_a_saved_session_is_renamed_and_a_name_taken_back(tmp_path: Path) -> None:
    path = session_with_speakers(tmp_path)
    record = append_speaker(path, SpeakerName("S1", "Me"))
    assert record.names == {"S1": "Me", "S2": "Candidate"} and record.closed_cleanly
    assert [c.who for c in record.chunks] == ["Me", "Candidate", "Me"]
    record = append_speaker(path, SpeakerName("S2", ""))
    assert [c.who for c in record.chunks] == ["Me", "S2", "Me"]
    assert lines_of(path)[-1]["type"] == "end"


def test_the_json_export_carries_ids_names_and_renames_and_reads_back(tmp_path: Path) -> None:
    record = read_journal(session_with_speakers(tmp_path))
    data = json.loads(to_json(record))
    assert data["chunks"][1]["speaker"] == "S2" and data["chunks"][1]["speaker_name"] == "Candidate"
    assert "speaker_name" not in data["chunks"][0]
    assert data["speakers"] == [{"id": "S2", "name": "Candidate"}]
    out = tmp_path / "s.json"
    out.write_text(to_json(record))
    again = read_json(out)
    assert again.chunks == record.chunks and again.names == record.names


def test_journals_from_before_speakers_read_as_they_did(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    lines = [
        {"type": "header", "seq": 0, "format": "annotator-session", "version": 1},
        {"type": "chunk", "seq": 1, "id": 1, "source": "You", "start": 0, "end": 1, "text": "hello"},
        {"type": "end", "seq": 2, "reason": "closed"},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    record = read_journal(path)
    assert record.warnings == () and record.names == {} and record.speakers == ()
    assert record.chunks == (Chunk(1, "You", 0.0, 1.0, "hello"),)
    assert record.chunks[0].who == "You"
    assert "speakers" not in json.loads(to_json(record))
