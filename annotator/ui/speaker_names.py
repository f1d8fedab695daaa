"""Speakers in the window: a colour per speaker id, and the small dialog that names one.

``speaker_color("S3")`` is the same colour for S3 in every session. ``SpeakerNamer``
asks for a name without blocking (``QInputDialog.open``) and reports it on a signal.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

# distinct at a glance on a light background, and readable as text
SPEAKER_COLORS = ("#1f6feb", "#b35900", "#1a7f37", "#8250df", "#bf3989", "#0a7480", "#6e5a00", "#cf222e")
NO_SPEAKER_COLOR = "#6b7280"


def speaker_color(speaker: str) -> str:
    """The colour of speaker ``S<n>`` (grey when there is no id)."""
    digits = speaker[1:] if speaker.startswith("S") else ""
    if not digits.isdigit():
        return NO_SPEAKER_COLOR
    return SPEAKER_COLORS[(int(digits) - 1) % len(SPEAKER_COLORS)]


class SpeakerNamer(QObject):
    """Asks the user for a speaker's name.

    Signals:
        named(str, str): the speaker id and the name typed (stripped; "" takes the name back).
    """

    named = Signal(str, str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.dialog: QInputDialog | None = None

    def ask(self, speaker: str, current: str) -> None:
        """Open the dialog for ``speaker`` (its current name filled in); one at a time."""
        if self.dialog is not None:
            self.dialog.close()
        dialog = QInputDialog(self._parent)
        dialog.setObjectName("speakerNameDialog")
        dialog.setWindowTitle("Name this speaker")
        dialog.setLabelText(f"Name for {speaker} (empty: back to {speaker}):")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(current)
        dialog.textValueSelected.connect(lambda text: self.named.emit(speaker, " ".join(text.split())))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
