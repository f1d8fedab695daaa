"""The review panel: the post-session review's summary, sentiment arc and follow-up questions.

It only renders ``review_verdicts.ReviewPanelText``; every label is plain text
(the text comes from a provider).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.ui.labels import plain_label
from annotator.ui.review_verdicts import ReviewPanelText

STYLE = (
    "QWidget#reviewInner { background: #ffffff; }"
    " QLabel#reviewByline, QLabel#reviewTally { color: #6b7280; }"
    " QLabel#reviewSection { color: #4c2a91; font-weight: 600; padding: 6px 0 0 0; margin: 0; }"
    " QLabel#reviewText { color: #111827; padding: 0; margin: 0; }"
    " QLabel#reviewItem { color: #374151; padding-left: 8px; }"
)


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
        lay.addWidget(plain_label(text.byline, inner, name="reviewByline", wrap=True, selectable=True))
        lay.addWidget(plain_label(text.tally, inner, name="reviewTally", wrap=True, selectable=True))
        if text.summary:
            lay.addWidget(plain_label("Summary", inner, name="reviewSection", wrap=True, selectable=True))
            lay.addWidget(plain_label(text.summary, inner, name="reviewText", wrap=True, selectable=True))
        if text.arc or text.turning_points:
            lay.addWidget(plain_label("Sentiment arc", inner, name="reviewSection", wrap=True, selectable=True))
            if text.arc:
                lay.addWidget(plain_label(text.arc, inner, name="reviewText", wrap=True, selectable=True))
            for point in text.turning_points:
                lay.addWidget(plain_label(point, inner, name="reviewItem", wrap=True, selectable=True))
        if text.questions:
            lay.addWidget(plain_label("Follow-up questions", inner, name="reviewSection", wrap=True, selectable=True))
            for question in text.questions:
                lay.addWidget(plain_label(question, inner, name="reviewItem", wrap=True, selectable=True))
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
