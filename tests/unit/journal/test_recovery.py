"""Closing a journal after the fact: repair, and marks appended to a saved session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import JournalError
from annotator.journal.reader import read_journal
from annotator.journal.recovery import append_mark, repair
from annotator.journal.store import find_unfinished
from annotator.journal.writer import Journal
from annotator.models import Chunk, Mark
from tests.unit.journal.helpers import drop_end, journal_with_records, lines_of


def test_a_torn_journal_reads_with_a_warning_and_repair_closes_it(tmp_path: Path) -> None:
    path = journal_with_records(tmp_path)
    drop_end(path, b'{"type":"chunk","seq":4,"id":4,"text":"cut of')
    record = read_journal(path)
    assert [c.text for c in record.chunks] == ["chunk 1", "chunk 2", "chunk 3"]
    assert record.end_reason is None and not record.closed_cleanly
    assert any(":5: the last record was cut off" in w for w in record.warnings)
    assert find_unfinished(tmp_path) == [path]

    repaired = repair(path)
    assert repaired.end_reason == "recovered" and not repaired.closed_cleanly
    assert repaired.chunks == record.chunks
    assert any("dropped a torn last line" in w for w in repaired.warnings)
    raw = lines_of(path)  # every line is whole JSON now
    assert raw[-1]["type"] == "end" and raw[-1]["reason"] == "recovered" and raw[-1]["seq"] == 4
    assert find_unfinished(tmp_path) == []
    assert read_journal(path).warnings == ()
    assert repair(path).end_reason == "recovered"  # repairing twice changes nothing
    assert len(lines_of(path)) == len(raw)


def test_repair_keeps_a_complete_last_record_missing_its_newline(tmp_path: Path) -> None:
    path = journal_with_records(tmp_path)
    drop_end(path, b'{"type":"chunk","seq":4,"id":4,"source":"","start":9,"end":10,"text":"whole"}')
    repaired = repair(path)
    assert [c.text for c in repaired.chunks][-1] == "whole"
    assert lines_of(path)[-1]["seq"] == 5


def test_a_mark_appended_to_a_saved_journal_is_read_back_and_it_stays_closed(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={"mode": "live"})
    journal.write_chunk(Chunk(1, "You", 0.0, 2.0, "Hello."))
    journal.close()
    after = append_mark(journal.path, Mark(2.0, "flag", "check this", 1))
    assert after.marks == (Mark(2.0, "flag", "check this", 1),)
    assert after.end_reason == "closed" and not after.warnings
    seqs = [json.loads(line)["seq"] for line in journal.path.read_text().splitlines()]
    assert seqs == list(range(len(seqs)))  # numbering continues
    again = append_mark(journal.path, Mark(2.0, "bookmark", "", 1))
    assert [m.kind for m in again.marks] == ["flag", "bookmark"]


def test_a_mark_appended_to_a_journal_that_never_closed_repairs_it_first(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    header = {"type": "header", "seq": 0, "ts": 1.0, "format": "annotator-session", "version": 1}
    chunk = {"type": "chunk", "seq": 1, "ts": 1.0, "id": 1, "source": "", "start": 0, "end": 1, "text": "Hi."}
    path.write_text(json.dumps(header) + "\n" + json.dumps(chunk) + "\n" + '{"type": "chu', encoding="utf-8")
    after = append_mark(path, Mark(1.0, "bookmark", "", 1))
    assert after.end_reason == "recovered" and len(after.marks) == 1 and len(after.chunks) == 1


def test_a_correction_keeps_the_original_and_every_reader_sees_the_corrected_line(tmp_path: Path) -> None:
    from annotator.formats.json import read_json
    from annotator.formats.writers import export
    from annotator.journal.recovery import append_correction

    path = journal_with_records(tmp_path)
    before = path.read_bytes()
    record = append_correction(path, 2, "  chunk   two, corrected ")
    assert path.read_bytes().startswith(before)  # appended: the transcribed chunk stays in the journal
    assert [c.text for c in record.chunks] == ["chunk 1", "chunk two, corrected", "chunk 3"]
    assert [(c.chunk_id, c.text, c.original) for c in record.corrections] == [(2, "chunk two, corrected", "chunk 2")]
    assert record.closed_cleanly
    record = append_correction(path, 2, "chunk two")  # the last correction wins
    assert record.chunks[1].text == "chunk two" and record.corrections[0].original == "chunk 2"
    assert "chunk two" in export(record, "md") and "chunk 2\n" not in export(record, "srt")
    out = tmp_path / "out.json"
    out.write_text(export(record, "json"), encoding="utf-8")
    again = read_json(out)
    assert again.chunks[1].text == "chunk two" and again.corrections == record.corrections
    with pytest.raises(JournalError, match="cannot be empty"):
        append_correction(path, 2, "   ")
