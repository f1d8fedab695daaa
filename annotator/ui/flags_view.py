"""The flags pane: a card per contradiction (or manual flag), newest at the bottom.

Every label is plain text: the quotes and explanations come from a provider.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.ui.flag import Flag
from annotator.ui.format import timestamp


def _plain(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


class FlagCard(QFrame):
    """One flag: the new statement, the earlier one and the explanation.

    Signals:
        clicked(Flag): the card was clicked.
    """

    clicked = Signal(object)

    def __init__(self, flag: Flag, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flag = flag
        self.setObjectName("flagCardManual" if flag.manual else "flagCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(4)
        title = "Flagged by you" if flag.manual else "Contradiction"
        self.title = _plain(f"{title} · {timestamp(flag.at)}", "flagTitle", self)
        lay.addWidget(self.title)
        if flag.statement:
            self.statement = _plain(f"Now: “{flag.statement}”", "flagStatement", self)
            lay.addWidget(self.statement)
        if flag.earlier:
            self.earlier = _plain(f"Earlier: “{flag.earlier}”", "flagEarlier", self)
            lay.addWidget(self.earlier)
        self.explanation = _plain(flag.explanation, "flagExplanation", self)
        lay.addWidget(self.explanation)
        if flag.source and not flag.manual:
            lay.addWidget(_plain(flag.source, "flagSource", self))
        self.set_selected(False)

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
        self.placeholder = _plain(
            "No flags yet. Contradictions found by the analysis appear here; "
            "click one to see both statements in the transcript.",
            "flagsPlaceholder",
            inner,
        )
        self._layout.addWidget(self.placeholder)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self.cards: list[FlagCard] = []
        self._current = -1

    def add_flag(self, flag: Flag) -> FlagCard:
        self.placeholder.hide()
        card = FlagCard(flag, self.widget())
        card.clicked.connect(self._on_card_clicked)
        self._layout.insertWidget(self._layout.count() - 1, card)
        self.cards.append(card)
        if self._current < 0:
            self.ensureWidgetVisible(card)
        return card

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
