"""The note on a mark: a small field that Ctrl+M opens over the window.

Enter saves the mark with what was typed; Esc (or clicking elsewhere) leaves
a bare mark; either way the mark is made once. The note is plain text.

Signals:
    done(str)    the note ("" for a bare mark), emitted once when the field closes
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

NOTE_MAX_CHARS = 500


class NoteField(QFrame):
    """A note for the mark being made (see the module docstring)."""

    done = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("noteField")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.edit = QLineEdit(self)
        self.edit.setMaxLength(NOTE_MAX_CHARS)
        self.edit.setPlaceholderText("Note on this mark (Enter saves, Esc: no note)")
        self.edit.setMinimumWidth(360)
        self.edit.installEventFilter(self)
        self.hint = hint = QLabel("Enter: save the note · Esc: a bare mark", self)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.edit)
        layout.addWidget(hint)
        self._finished = False

    def open_at(self, where: QPoint) -> None:
        self.move(where)
        self.show()
        self.edit.setFocus()

    def finish(self, note: str) -> None:
        if self._finished:
            return
        self._finished = True
        self.hide()
        self.done.emit(" ".join(note.split()))
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.finish(self.edit.text())
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.finish("")
                return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event: object) -> None:  # noqa: N802
        super().hideEvent(event)  # type: ignore[arg-type]
        if not self._finished:  # clicked elsewhere: the popup closed without Enter
            self.finish("")


def ask_line(parent: QWidget, where: QPoint, text: str, then: object) -> NoteField:
    """A field holding a transcript line's ``text`` to correct; ``then(text)`` on Enter only."""
    field = NoteField(parent)
    field.edit.setMaxLength(10_000)
    field.edit.setPlaceholderText("The line as it was said")
    field.edit.setText(text)
    field.edit.selectAll()
    field.hint.setText("Enter: save the correction (the original is kept) · Esc: cancel")
    field.done.connect(lambda new: then(new) if new and new != " ".join(text.split()) else None)  # type: ignore[operator]
    field.open_at(where)
    return field


def ask_note(parent: QWidget, anchor: QWidget, then: object) -> NoteField:
    """Open a note field at the bottom left of ``anchor``; ``then(note)`` when it closes."""
    field = NoteField(parent)
    field.done.connect(then)
    field.open_at(anchor.mapToGlobal(QPoint(8, max(0, anchor.height() - 80))))
    return field
