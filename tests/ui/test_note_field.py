"""Ctrl+M: a note on the mark; Enter saves it to the journal, Esc leaves a bare mark."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.config.schema import Config
from annotator.journal.reader import read_journal
from annotator.ui.note_field import NoteField
from tests.ui.conftest import show_saved
from tests.unit.library.helpers import write_session


def test_enter_saves_the_note_and_esc_a_bare_mark(qtbot, make_app, window, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sessions_dir.mkdir(parents=True)
    path = write_session(sessions_dir, [("Ada", "I led the migration"), ("Bob", "When?")], when=1_764_087_603.0)
    show_saved(qtbot, make_app(Config()), window, path, lines=2)
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


def test_a_note_typed_while_the_talk_goes_on_marks_the_moment_ctrl_m_was_pressed(
    qtbot, make_app, window, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The moment is taken at Ctrl+M: lines that arrive while the note is typed do not move it."""
    cues = tmp_path / "talk.srt"
    cues.write_text(
        "1\n00:00:00,000 --> 00:00:00,500\nI led the migration.\n\n"
        "2\n00:00:00,600 --> 00:00:01,000\nIt took eighteen months.\n\n"
        "3\n00:00:40,000 --> 00:00:41,000\nWe moved to Kubernetes.\n",
        encoding="utf-8",
    )
    app = make_app(Config())
    model = window.transcript_model
    app.controller.replay(str(cues))  # in real time: the third line is 39 s away
    qtbot.waitUntil(lambda: model.rowCount() == 2 and app.sessions.active, timeout=10000)
    second = model.row_at(1).chunk

    window.act_mark.trigger()  # Ctrl+M
    field = window.findChild(NoteField)
    assert isinstance(field, NoteField) and field.isVisible()
    qtbot.keyClicks(field.edit, "ask how long")
    window.set_speed(0.0)  # the talk goes on while the note is typed: the third line arrives
    window.speed_changed.emit(0.0)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10000)
    with qtbot.waitSignal(app.bridge.mark, timeout=10000) as got:
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    mark = got.args[0]
    assert (mark.kind, mark.note, mark.chunk_id, mark.at) == ("bookmark", "ask how long", second.id, second.end)
    assert window.timeline.notes[-1] == (second.end, "ask how long")

    # Esc leaves a bare mark at its own moment: now the third line
    window.act_mark.trigger()
    field = [f for f in window.findChildren(NoteField) if f.isVisible()][-1]
    with qtbot.waitSignal(app.bridge.mark, timeout=10000) as got:
        qtbot.keyClick(field.edit, Qt.Key.Key_Escape)
    assert (got.args[0].note, got.args[0].chunk_id) == ("", model.row_at(2).chunk.id)
