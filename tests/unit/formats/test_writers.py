"""Exporting by name: each format matches its golden file; an unknown format is refused.

The golden files in tests/data/golden/ are the exports of ``golden_session()``.
After an intended change of an export format, regenerate them with
``ANNOTATOR_UPDATE_GOLDEN=1 pytest tests/unit/formats/test_writers.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.writers import FORMATS, export
from annotator.journal.record import SessionRecord
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
