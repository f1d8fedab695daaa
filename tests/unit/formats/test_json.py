"""The JSON export: a journal exported and read back is the same session, with its summary; JSON that is not one of ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.json import to_json
from annotator.formats.readers import read_session
from annotator.journal.reader import read_journal
from annotator.journal.writer import Journal
from tests.unit.formats.helpers import golden_session, write


def test_journal_to_json_export_and_back_is_the_same_session(tmp_path: Path, data_dir: Path) -> None:
    source = golden_session(data_dir)
    journal = Journal.create(tmp_path, header={"model": "tiny.en", "chain": source.header["chain"]})
    for chunk in source.chunks:
        journal.write_chunk(chunk)
    for analysis in source.analyses:
        journal.write_analysis(analysis)
    for mark in source.marks:
        journal.write_mark(mark)
    journal.write_event("backlog", {"merged": 2})
    journal.write_error("an error")
    journal.close()
    record = read_journal(journal.path)
    out = tmp_path / "export.json"
    out.write_text(to_json(record), encoding="utf-8")
    assert read_session(out) == record
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert summary["chunks"] == 20 and summary["analyses"] == 8
    assert summary["cost_usd"] == pytest.approx(0.0000412 + 0.000525 + 0.000481 + 0.000593 + 0.000624 + 0.00056)


def test_json_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "x.json", json.dumps({"hello": 1}))
    with pytest.raises(InputError, match=r"x\.json: not an annotator session export"):
        read_session(p)
    p = write(tmp_path, "y.json", '{"format": \n')
    with pytest.raises(InputError, match=r"y\.json:2: not valid JSON"):
        read_session(p)
