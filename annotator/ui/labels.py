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


def reason_label(parent: QWidget, lines: int = 1, name: str = "fieldError") -> QLabel:
    """A line for the reason a value is refused, its space kept while it is empty:
    a reason appearing must not move the fields under the mouse. Longer text than
    ``lines`` holds is cut; the tooltip has all of it."""
    label = plain_label("", parent, name=name, wrap=True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setFixedHeight(lines * label.fontMetrics().lineSpacing() + 2)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.hide()
    return label


def show_reason(label: QLabel, text: str) -> None:
    """Show ``text`` in a ``reason_label`` (hidden, its place kept, when empty)."""
    label.setText(text)
    label.setToolTip(text)
    label.setVisible(bool(text))
