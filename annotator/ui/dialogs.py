"""The window's questions and file pickers (Qt dialogs; what is asked is the window's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

Confirm = Callable[[str, str], bool]

OPEN_FILTER = (
    "Sessions, transcripts and audio (*.jsonl *.json *.txt *.srt *.vtt *.wav *.flac *.mp3 *.m4a *.ogg);;"
    "Session journals (*.jsonl *.json);;Transcripts (*.txt *.srt *.vtt);;Audio (*.wav *.flac *.mp3 *.m4a *.ogg);;All files (*)"
)
EXPORT_FORMATS = {
    "Markdown (*.md)": "md",
    "JSON (*.json)": "json",
    "SubRip subtitles (*.srt)": "srt",
    "WebVTT (*.vtt)": "vtt",
}


def ask_user(parent: QWidget) -> Confirm:
    """A yes/no question as a modal message box (replaced in tests)."""

    def confirm(title: str, text: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    return confirm


def ask(parent: QWidget, title: str, text: str, on_answer: Callable[[bool], None]) -> QMessageBox:
    """A yes/no question that does not block: the box opens window-modal and this
    returns at once; ``on_answer(True)`` on Yes, ``on_answer(False)`` on No or when
    dismissed. Safe from a coroutine: no nested event loop runs (``exec`` inside an
    asyncio task would stall every other task until the user answered, issue 19)."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    box = QMessageBox(QMessageBox.Icon.Question, title, text, yes | no, parent)
    box.setObjectName("question")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.finished.connect(lambda _result: on_answer(box.clickedButton() is box.button(yes)))
    box.open()
    return box


def pick_file(parent: QWidget, title: str, start: str) -> str:
    """A session, transcript or audio file to open ("" when cancelled)."""
    path, _ = QFileDialog.getOpenFileName(parent, title, start, OPEN_FILTER)
    return path


def pick_export(parent: QWidget, start: Path) -> tuple[str, str] | None:
    """Where to export and in which format ("md" | "json" | "srt" | "vtt"); None when cancelled.
    The format is the chosen filter's, else the file name's suffix."""
    path, chosen = QFileDialog.getSaveFileName(parent, "Export session", str(start), ";;".join(EXPORT_FORMATS))
    if not path:
        return None
    return path, EXPORT_FORMATS.get(chosen) or Path(path).suffix.lstrip(".").lower()
