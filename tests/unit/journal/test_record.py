"""The record shape: the header keeps its own fields, every record is one line for any reader."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.journal.reader import read_journal
from annotator.journal.record import FORMAT_VERSION
from annotator.journal.writer import Journal
from annotator.models import Chunk


def test_the_header_keeps_its_own_fields_and_every_record_is_one_line_for_any_reader(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={"type": "chunk", "seq": 7, "version": 99, "format": "x", "mode": "live"})
    odd = Chunk(1, "You", 0.0, 1.0, "line\u2028separator\u2029paragraph\x85next\nnewline")
    journal.write_chunk(odd)
    journal.close()
    text = journal.path.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 3  # str.splitlines() also splits on U+2028, U+2029 and NEL
    record = read_journal(journal.path)
    assert record.chunks == (odd,)
    assert record.header["version"] == FORMAT_VERSION and record.header["format"] == "annotator-session"
    assert record.header["mode"] == "live"
    assert json.loads(text.splitlines()[0])["type"] == "header"
