"""Double-click a line of a saved session to correct it: journaled, the original kept, the window updated."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.config.schema import Config
from annotator.journal.reader import read_journal
from annotator.ui.note_field import NoteField
from annotator.ui.transcript_view import COL_TEXT
from tests.unit.library.helpers import write_session


def test_double_click_corrects_a_line(qtbot, make_app, window, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sessions_dir.mkdir(parents=True)
    path = write_session(sessions_dir, [("Ada", "I led the cuban eighties migration"), ("Bob", "When?")], when=1e9)
    app = make_app(Config())
    app.controller.open(str(path))
    qtbot.waitUntil(lambda: window.transcript_model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=10000)
    index = window.transcript_model.index(0, COL_TEXT)
    window.transcript.doubleClicked.emit(index)
    field = window.findChild(NoteField)
    assert field is not None and field.edit.text() == "I led the cuban eighties migration"
    field.edit.setText("I led the Kubernetes migration")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index.data() == "I led the Kubernetes migration", timeout=10000)
    record = read_journal(path)
    assert record.chunks[0].text == "I led the Kubernetes migration"
    assert record.corrections[0].original == "I led the cuban eighties migration"
    raw = path.read_text(encoding="utf-8")
    assert '"text":"I led the cuban eighties migration"' in raw  # the transcribed chunk record stays
