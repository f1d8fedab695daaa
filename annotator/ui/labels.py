"""The one way text reaches the screen in a label: as plain text.

Transcript and provider text is untrusted; a ``QLabel`` left to guess its
format renders anything that looks like HTML (and follows links). Every
label that can show such text is made here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(
    text: str = "",
    parent: QWidget | None = None,
    *,
    name: str | None = None,
    wrap: bool = False,
    selectable: bool = False,
) -> QLabel:
    """A label that shows ``text`` literally: never rich text, never a link."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    label.setText(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse if selectable else Qt.TextInteractionFlag.NoTextInteraction
    )
    return label
