"""Reading a journal back: what is skipped, with a warning naming the file and line."""

from __future__ import annotations

from pathlib import Path

from annotator.journal.reader import read_journal
from annotator.journal.recovery import repair
from tests.unit.journal.helpers import drop_end, journal_with_records


def test_a_truncated_journal_reads_with_a_warning(tmp_path: Path) -> None:
    path = journal_with_records(tmp_path)
    drop_end(path)
    record = read_journal(path)
    assert len(record.chunks) == 3 and record.end_reason is None
    assert any("did not close cleanly" in w for w in record.warnings)
    assert repair(path).warnings == ()


def test_a_garbled_line_in_the_middle_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = journal_with_records(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = b"\xff\xfe garbage\n"
    path.write_bytes(b"".join(lines))
    record = read_journal(path)
    assert [c.text for c in record.chunks] == ["chunk 1", "chunk 3"]
    assert record.closed_cleanly
    assert any(":3: unreadable record skipped" in w for w in record.warnings)
