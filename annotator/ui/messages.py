"""The window's one message boundary (after qutebrowser's ``message`` + ``messageview``).

Code anywhere in the window reports a sentence to a ``MessageHub``; the hub
sends it on its single ``posted`` signal; ``MessageArea`` only renders.
Text is shown as plain text: provider replies and device names are untrusted.
A message may name its ``kind`` (e.g. "analysis_unavailable"): repeats of one
kind merge into one line, the latest sentence with "(×N)", even when their
wording differs.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from annotator.ui.format import tooltip
from annotator.ui.labels import plain_label

log = logging.getLogger(__name__)


class Level(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class MessageAction:
    """A way forward offered beside a message: a button ``label`` that calls ``run``;
    the strip is dismissed afterwards when ``dismisses``."""

    label: str
    run: Callable[[], None]
    dismisses: bool = True


@dataclass(frozen=True)
class Message:
    """One sentence for the user, saying what happened and what to do."""

    level: Level
    text: str
    at: float  # time.time() when posted
    actions: tuple[MessageAction, ...] = ()
    details: str = ""  # the particulars behind the sentence (e.g. each provider's reason), shown on hover
    kind: str = ""  # messages of one (non-empty) kind merge into one line

    def repeats(self, other: Message) -> bool:
        """``other`` says the same thing again: the same kind, or the same sentence."""
        if self.level is not other.level:
            return False
        return self.kind == other.kind if self.kind or other.kind else self.text == other.text


class MessageHub(QObject):
    """Collects messages for the window.

    Signals:
        posted(Message): a message to show.
    """

    posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[Message] = []

    def post(
        self, level: Level, text: str, actions: tuple[MessageAction, ...] = (), details: str = "", kind: str = ""
    ) -> None:
        msg = Message(level, text, time.time(), actions, details, kind)
        self.history.append(msg)
        logged = f"{text}\n{details}" if details else text
        log.log(
            logging.ERROR if level is Level.ERROR else logging.WARNING if level is Level.WARNING else logging.INFO,
            "%s",
            logged,
        )
        self.posted.emit(msg)

    def info(self, text: str, details: str = "") -> None:
        self.post(Level.INFO, text, details=details)

    def warning(self, text: str, details: str = "", kind: str = "") -> None:
        self.post(Level.WARNING, text, details=details, kind=kind)

    def error(self, text: str, actions: tuple[MessageAction, ...] = (), details: str = "") -> None:
        self.post(Level.ERROR, text, actions, details)


_STYLE = {
    Level.INFO: ("#e8f0fe", "#1a3d7c", "ℹ"),
    Level.WARNING: ("#fff4e0", "#6b4400", "⚠"),
    Level.ERROR: ("#fde8e6", "#7c1a12", "✖"),
}


class MessageArea(QFrame):
    """A strip above the status bar showing the latest message; hidden when dismissed.

    Repeats of the same sentence, or of one kind, are counted ("(×N)") instead
    of stacked, while the strip shows them. The tooltip
    shows the message's details (if any), then lists the last few messages.
    """

    def __init__(self, hub: MessageHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageArea")
        self._hub = hub
        self._last: Message | None = None
        self._repeat = 1
        self.icon = QLabel(self)
        self.label = plain_label("", self, wrap=True, selectable=True)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        self.action_buttons: list[QPushButton] = []
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.icon)
        lay.addWidget(self.label, 1)
        self._actions = QHBoxLayout()
        lay.addLayout(self._actions)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        hub.posted.connect(self.show_message)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_message(self, msg: Message) -> None:
        if self._last is not None and not self.isHidden() and msg.repeats(self._last):
            self._repeat += 1
        else:
            self._repeat = 1
        self._last = msg
        bg, fg, icon = _STYLE[msg.level]
        self.setStyleSheet(
            f"#messageArea {{ background: {bg}; border-top: 1px solid {fg}40; }} QLabel {{ color: {fg}; }}"
        )
        self.icon.setText(icon)
        suffix = f"  (×{self._repeat})" if self._repeat > 1 else ""
        self.label.setText(msg.text + suffix)
        self._set_actions(msg.actions)
        recent = self._hub.history[-6:]
        lines = "\n".join(f"{time.strftime('%H:%M:%S', time.localtime(m.at))}  {m.text}" for m in recent)
        self.setToolTip(tooltip(f"{msg.details}\n\n{lines}" if msg.details else lines))
        self.show()

    def _set_actions(self, actions: tuple[MessageAction, ...]) -> None:
        for button in self.action_buttons:
            self._actions.removeWidget(button)
            button.deleteLater()
        self.action_buttons = []
        for action in actions:
            button = QPushButton(action.label, self)
            button.clicked.connect(lambda _checked=False, a=action: self._run(a))
            self._actions.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.action_buttons.append(button)

    def _run(self, action: MessageAction) -> None:
        if action.dismisses:
            self.hide()
        action.run()
