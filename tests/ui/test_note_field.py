"""Ctrl+M: a note on the mark; Enter saves it to the journal, Esc leaves a bare mark."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.config.schema import Config
from annotator.journal.reader import read_journal
from annotator.ui.note_field import NoteField
from tests.unit.library.helpers import write_session


def test_enter_saves_the_note_and_esc_a_bare_mark(qtbot, make_app, window, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sessions_dir.mkdir(parents=True)
    path = write_session(sessions_dir, [("Ada", "I led the migration"), ("Bob", "When?")], when=1_764_087_603.0)
    app = make_app(Config())
    app.controller.open(str(path))
    qtbot.waitUntil(lambda: window.transcript_model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=10000)
    before = len(read_journal(path).marks)

    field = window.ask_mark_note()
    assert isinstance(field, NoteField) and field.isVisible()
    qtbot.keyClicks(field.edit, "ask   about <b>k8s</b> ")
    with qtbot.waitSignal(field.done) as got:
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert got.args == ["ask about <b>k8s</b>"]
    qtbot.waitUntil(lambda: len(read_journal(path).marks) == before + 1, timeout=10000)
    assert read_journal(path).marks[-1].note == "ask about <b>k8s</b>"
    qtbot.waitUntil(lambda: "ask about <b>k8s</b>" in [n for _t, n in window.timeline.notes], timeout=10000)

    field = window.ask_mark_note()
    with qtbot.waitSignal(field.done) as got:
        qtbot.keyClick(field.edit, Qt.Key.Key_Escape)
    assert got.args == [""]
    qtbot.waitUntil(lambda: len(read_journal(path).marks) == before + 2, timeout=10000)
    assert read_journal(path).marks[-1].note == ""
