"""The flags pane: a card per contradiction (or manual flag), newest at the bottom.

Every label is plain text: the quotes and explanations come from a provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.models import Chunk
from annotator.text.clock import timestamp
from annotator.ui.flag import Flag
from annotator.ui.labels import plain_label
from annotator.ui.review_verdicts import CONFIRMED, NOT_JUDGED, WRONG, CardReview

FlagKey = tuple[frozenset[str], frozenset[str], bool]

# Cards found by the post-session review, and the review's verdict line on live cards
# (set on the widgets: resources/style.qss knows only the live and manual cards).
REVIEW_CARD_STYLE = (
    "QFrame#flagCardReview { background: #f8f5ff; border: 1px solid #d9ccf5; border-left: 4px solid #6d3fc4;"
    " border-radius: 4px; }"
    ' QFrame#flagCardReview[selected="true"] { background: #fff1c2; border-color: #e0b100; }'
    " QLabel#flagTitle { color: #4c2a91; font-weight: 600; }"
)
VERDICT_STYLE = {
    CONFIRMED: "color: #1e6b3d; background: #e6f4ea; border-radius: 3px; padding: 3px 6px;",
    WRONG: "color: #8a1c12; background: #fde8e6; border-radius: 3px; padding: 3px 6px;",
}
NOT_JUDGED_STYLE = "color: #5f6368; background: #f1f3f4; border-radius: 3px; padding: 3px 6px;"


class FlagCard(QFrame):
    """One flag: the new statement, the earlier one and the explanation.

    Signals:
        clicked(Flag): the card was clicked.
    """

    clicked = Signal(object)

    def __init__(self, flag: Flag, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flag = flag
        self.review: CardReview | None = None
        self.verdict: QLabel | None = None
        self.setObjectName(
            "flagCardManual" if flag.manual else "flagCardReview" if flag.found_by_review else "flagCard"
        )
        if flag.found_by_review:
            self.setStyleSheet(REVIEW_CARD_STYLE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(4)
        title = (
            "Flagged by you"
            if flag.manual
            else "Missed live · found by the review"
            if flag.found_by_review
            else "Contradiction"
        )
        self._title = f"{title} · {timestamp(flag.at)}"
        self.title = plain_label(self._titled(flag.speaker), self, name="flagTitle", wrap=True)
        lay.addWidget(self.title)
        if flag.statement:
            self.statement = plain_label(f"Now: “{flag.statement}”", self, name="flagStatement", wrap=True)
            lay.addWidget(self.statement)
        if flag.earlier:
            when = f" ({timestamp(flag.earlier_at)})" if flag.earlier_at is not None else ""
            self.earlier = plain_label(f"Earlier{when}: “{flag.earlier}”", self, name="flagEarlier", wrap=True)
            lay.addWidget(self.earlier)
        self.explanation = plain_label(flag.explanation, self, name="flagExplanation", wrap=True)
        lay.addWidget(self.explanation)
        self.follow_up: QLabel | None = None
        if flag.follow_up:
            self.follow_up = plain_label(f"Ask: {flag.follow_up}", self, name="flagFollowUp", wrap=True)
            lay.addWidget(self.follow_up)
        if flag.source and not flag.manual:
            lay.addWidget(plain_label(flag.source, self, name="flagSource", wrap=True))
        self._layout = lay
        self.set_selected(False)

    def _titled(self, speaker: str) -> str:
        return f"{self._title} · {speaker}" if speaker else self._title

    def set_speaker(self, speaker: str) -> None:
        """Say who made the statement by this name (a speaker just renamed)."""
        if speaker != self.flag.speaker:
            self.flag = replace(self.flag, speaker=speaker)
            self.title.setText(self._titled(speaker))

    def set_review(self, review: CardReview | None) -> None:
        """Show the post-session review's verdict on this card (None removes it)."""
        self.review = review
        if review is None:
            if self.verdict is not None:
                self.verdict.hide()
            return
        if self.verdict is None:
            self.verdict = plain_label("", self, name="flagVerdict", wrap=True)
            self._layout.addWidget(self.verdict)
        self.verdict.setText(review.text)
        self.verdict.setStyleSheet(VERDICT_STYLE.get(review.verdict, NOT_JUDGED_STYLE))
        self.verdict.show()

    def set_selected(self, on: bool) -> None:
        self.setProperty("selected", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.flag)
        super().mouseReleaseEvent(event)


class FlagsView(QScrollArea):
    """A scrolling column of ``FlagCard``s with a placeholder while empty.

    Signals:
        flag_clicked(Flag): a card was clicked (or chosen with "jump to next flag").
    """

    flag_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flags")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        inner.setObjectName("flagsInner")
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(8)
        self.placeholder = plain_label(
            "No flags yet. Contradictions found by the analysis appear here; "
            "click one to see both statements in the transcript.",
            inner,
            name="flagsPlaceholder",
            wrap=True,
        )
        self._layout.addWidget(self.placeholder)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self.cards: list[FlagCard] = []
        self._current = -1
        self._reveal: FlagCard | None = None  # a card to bring into view once laid out
        self.verticalScrollBar().rangeChanged.connect(self._reveal_pending)

    def add_flag(self, flag: Flag) -> FlagCard:
        self.placeholder.hide()
        card = FlagCard(flag, self.widget())
        card.clicked.connect(self._on_card_clicked)
        self._layout.insertWidget(self._layout.count() - 1, card)
        self.cards.append(card)
        if self._current < 0:
            self.ensureWidgetVisible(card)
        return card

    def name_speaker(self, speaker: str, chunks: Mapping[int, Chunk]) -> None:
        """Speaker ``speaker`` (``S1``) was renamed: the cards on its lines (``chunks``, already
        named) say who by the new name (its id when the name was taken back)."""
        for card in self.cards:
            chunk = chunks.get(card.flag.chunk_id) if card.flag.chunk_id is not None else None
            if chunk is not None and chunk.speaker == speaker:
                card.set_speaker(chunk.speaker_name or chunk.speaker)

    def apply_review(self, verdicts: Mapping[FlagKey, CardReview], missed: Sequence[Flag]) -> None:
        """Show a post-session review: each live card gets its verdict ("not
        judged" when the review had no word on it), and each contradiction the
        live pass missed becomes a card, placed in time order. A previous
        review's cards and verdicts are replaced."""
        for card in [c for c in self.cards if c.flag.found_by_review]:
            self.cards.remove(card)
            card.deleteLater()
        self._current = -1
        for card in self.cards:
            if not card.flag.manual:
                card.set_review(verdicts.get(card.flag.key, CardReview(NOT_JUDGED)))
        for flag in missed:
            self.placeholder.hide()
            card = FlagCard(flag, self.widget())
            card.clicked.connect(self._on_card_clicked)
            at = next((i for i, c in enumerate(self.cards) if c.flag.at > flag.at), len(self.cards))
            layout_at = self._layout.indexOf(self.cards[at]) if at < len(self.cards) else self._layout.count() - 1
            self._layout.insertWidget(layout_at, card)
            self.cards.insert(at, card)
        self._reveal = next((c for c in self.cards if c.flag.found_by_review), None)
        self._reveal_pending()

    def _reveal_pending(self, *_range: int) -> None:
        """Bring the first card found by the review into view once the layout has placed it
        (the scroll range changes as the cards are laid out); done once it is visible."""
        card = self._reveal
        if card is None or card not in self.cards:
            self._reveal = None
            return
        if not card.isVisible():  # not laid out yet: its geometry is a placeholder
            return
        self.ensureWidgetVisible(card, 0, 8)
        top = card.y() - self.verticalScrollBar().value()
        if top >= 0 and top + card.height() <= self.viewport().height():
            self._reveal = None

    def _on_card_clicked(self, flag: Flag) -> None:
        for i, card in enumerate(self.cards):
            if card.flag is flag:
                self.select(i)
                return

    def select(self, i: int) -> None:
        """Highlight card ``i``, scroll to it and announce it."""
        if not self.cards:
            return
        i %= len(self.cards)
        for j, card in enumerate(self.cards):
            card.set_selected(j == i)
        self._current = i
        self.ensureWidgetVisible(self.cards[i])
        self.flag_clicked.emit(self.cards[i].flag)

    def select_next(self) -> bool:
        """Jump to the next flag after the current one (wrapping); False when there are none."""
        if not self.cards:
            return False
        self.select(self._current + 1)
        return True

    def clear(self) -> None:
        for card in self.cards:
            card.deleteLater()
        self.cards.clear()
        self._current = -1
        self.placeholder.show()
