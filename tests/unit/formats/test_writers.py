"""Exporting by name: each format matches its golden file; an unknown format is refused.

The golden files in tests/data/golden/ are the exports of ``golden_session()``.
After an intended change of an export format, regenerate them with
``ANNOTATOR_UPDATE_GOLDEN=1 pytest tests/unit/formats/test_writers.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.writers import FORMATS, export
from annotator.journal.record import SessionRecord
from annotator.models import Chunk, Mark
from tests.unit.formats.helpers import GOLDEN, golden_session


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_match_the_golden_files(data_dir: Path, fmt: str) -> None:
    text = export(golden_session(data_dir), fmt)
    golden = GOLDEN / f"session.{fmt}"
    if os.environ.get("ANNOTATOR_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert text == golden.read_text(encoding="utf-8")


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown export format 'pdf'"):
        export(SessionRecord(header={}), "pdf")


def test_subtitles_show_lines_and_json_keeps_the_chunks() -> None:
    chunks = (
        Chunk(1, "Them", 0.03, 2.50, "And so my fellow Americans."),
        Chunk(2, "Them", 3.04, 4.61, "Ask not"),
        Chunk(3, "Them", 5.15, 7.87, "What your country can do for you."),
        Chunk(4, "Them", 7.94, 10.75, "ask what you can do for your country"),
    )
    record = SessionRecord(header={}, chunks=chunks, marks=(Mark(6.0, "bookmark", "here", 3),))
    srt = export(record, "srt")
    assert srt.count(" --> ") == 2 and "Ask not what your country can do for you, ask what" in srt
    vtt = export(record, "vtt")
    cue, note = vtt.split("\n\n")[2:4]
    assert cue.startswith("2\n00:00:03.040 --> 00:00:10.750\n") and note.startswith("NOTE Bookmark at 00:00:06.000")
    md = export(record, "md")
    assert "**[00:03] Them:** Ask not what your country can do for you, ask what you can do for your country\n" in md
    assert md.count("**[") == 2
    assert len(json.loads(export(record, "json"))["chunks"]) == 4
