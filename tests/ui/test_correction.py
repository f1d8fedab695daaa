"""Double-click a line of a saved session to correct it: journaled, the original kept, the window updated."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.config.schema import Config
from annotator.journal.reader import read_journal
from annotator.journal.writer import Journal
from annotator.models import Chunk
from annotator.ui.note_field import NoteField
from annotator.ui.transcript_view import COL_TEXT
from tests.ui.conftest import show_saved
from tests.unit.library.helpers import write_session


def correct_first_line(qtbot, window, heard: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    """Double-click the first line: the field offers what was ``heard``; type what was ``meant``,
    Enter, and wait until the line shows it."""
    index = window.transcript_model.index(0, COL_TEXT)
    window.transcript.doubleClicked.emit(index)
    field = window.findChild(NoteField)
    assert field is not None and field.edit.text() == heard
    field.edit.setText(meant)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index.data() == meant, timeout=10000)


def test_double_click_corrects_a_line(qtbot, make_app, window, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sessions_dir.mkdir(parents=True)
    path = write_session(sessions_dir, [("Ada", "I led the cuban eighties migration"), ("Bob", "When?")], when=1e9)
    show_saved(qtbot, make_app(Config()), window, path, lines=2)
    correct_first_line(qtbot, window, "I led the cuban eighties migration", "I led the Kubernetes migration")
    record = read_journal(path)
    assert record.chunks[0].text == "I led the Kubernetes migration"
    assert record.corrections[0].original == "I led the cuban eighties migration"
    raw = path.read_text(encoding="utf-8")
    assert '"text":"I led the cuban eighties migration"' in raw  # the transcribed chunk record stays


def test_correcting_a_line_of_fragments_corrects_the_chunk_that_changed(  # type: ignore[no-untyped-def]
    qtbot, make_app, window, sessions_dir: Path
) -> None:
    sessions_dir.mkdir(parents=True)
    journal = Journal.create(sessions_dir, header={"model": "tiny.en"}, clock=lambda: 1e9)
    journal.write_chunk(Chunk(1, "Ada", 1.0, 2.5, "Last spring I migrated"))
    journal.write_chunk(Chunk(2, "Ada", 3.0, 5.0, "our whole cluster to Cuban eats."))
    journal.close()
    show_saved(qtbot, make_app(Config()), window, journal.path, lines=1)  # one line of two chunks
    correct_first_line(
        qtbot,
        window,
        "Last spring I migrated our whole cluster to Cuban eats.",
        "Last spring I migrated our whole cluster to Kubernetes.",
    )
    record = read_journal(journal.path)
    assert [c.text for c in record.chunks] == ["Last spring I migrated", "our whole cluster to Kubernetes."]
    assert [c.chunk_id for c in record.corrections] == [2]  # the first fragment was not changed
