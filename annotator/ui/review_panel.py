"""The review panel: the post-session review's summary, sentiment arc and follow-up questions.

It only renders ``review_view.ReviewPanelText``; every label is plain text
(the text comes from a provider).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.ui.review_view import ReviewPanelText

STYLE = (
    "QWidget#reviewInner { background: #ffffff; }"
    " QLabel#reviewByline, QLabel#reviewTally { color: #6b7280; }"
    " QLabel#reviewSection { color: #4c2a91; font-weight: 600; padding: 6px 0 0 0; margin: 0; }"
    " QLabel#reviewText { color: #111827; padding: 0; margin: 0; }"
    " QLabel#reviewItem { color: #374151; padding-left: 8px; }"
)


def _plain(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ReviewPanel(QScrollArea):
    """Shows one review (``show_text``) or nothing (``clear``, hidden). No signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(STYLE)
        self.text: ReviewPanelText | None = None
        self._inner: QWidget | None = None

    def show_text(self, text: ReviewPanelText) -> None:
        """Replace what is shown with this review."""
        self.text = text
        inner = QWidget(self)
        inner.setObjectName("reviewInner")
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(3)
        lay.addWidget(_plain(text.byline, "reviewByline", inner))
        lay.addWidget(_plain(text.tally, "reviewTally", inner))
        if text.summary:
            lay.addWidget(_plain("Summary", "reviewSection", inner))
            lay.addWidget(_plain(text.summary, "reviewText", inner))
        if text.arc or text.turning_points:
            lay.addWidget(_plain("Sentiment arc", "reviewSection", inner))
            if text.arc:
                lay.addWidget(_plain(text.arc, "reviewText", inner))
            for point in text.turning_points:
                lay.addWidget(_plain(point, "reviewItem", inner))
        if text.questions:
            lay.addWidget(_plain("Follow-up questions", "reviewSection", inner))
            for question in text.questions:
                lay.addWidget(_plain(question, "reviewItem", inner))
        lay.addStretch(1)
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.setWidget(inner)
        self._inner = inner

    def labels(self) -> list[str]:
        """Every text shown, top to bottom (for tests and accessibility checks)."""
        if self._inner is None:
            return []
        return [w.text() for w in self._inner.findChildren(QLabel)]

    def clear(self) -> None:
        self.text = None
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self._inner = None
