"""How the main window is put together: actions, toolbar, menus and panes.

Pure construction: what each action does is the window's (``MainWindow``);
these functions only make the widgets and place them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSplitter, QToolBar, QVBoxLayout, QWidget

Item = QAction | QMenu | QWidget | None
"""A toolbar or menu entry: an action, a submenu (menus only), a widget (toolbars only), None a separator."""


@dataclass(frozen=True)
class ActionText:
    """What one of the window's actions says: its menu text, shortcut, tip, and the
    toolbar's shorter label (``None``: the menu text)."""

    text: str
    shortcut: str | QKeySequence.StandardKey | None
    tip: str
    short: str | None = None


ACTIONS: dict[str, ActionText] = {
    "record": ActionText("● Record", "Ctrl+R", "Start recording from the selected input"),
    "stop": ActionText("■ Stop", "Ctrl+.", "Stop recording or replay; the last utterance is kept"),
    "open": ActionText(
        "Open…",
        QKeySequence.StandardKey.Open,
        "Open a saved session (shown at once, with its analyses), or replay a transcript or audio file",
        "Open",
    ),
    "replay": ActionText(
        "Replay…", None, "Replay a session, transcript or audio file as it was said, at the chosen speed"
    ),
    "pause": ActionText("Pause", "Ctrl+P", "Pause or resume the replay"),
    "mark": ActionText("Mark moment", "Ctrl+M", "Bookmark this moment in the session", "Mark"),
    "flag": ActionText("Flag last statement", "Ctrl+F", "Flag the last statement for review", "Flag"),
    "next_flag": ActionText("Next flag", "Ctrl+J", "Jump to the next flag and show both statements", "Next ⚑"),
    "export": ActionText("Export…", "Ctrl+E", "Export this session as Markdown, JSON, SRT or VTT", "Export"),
    "review": ActionText(
        "Review session…",
        "Ctrl+Shift+R",
        "Send the whole transcript to the review chain: check the live flags, find missed contradictions "
        "(asks first, with the cost)",
        "Review",
    ),
    "retranscribe": ActionText(
        "Transcribe again…",
        None,
        "A second, stronger pass over the session's saved audio (Settings > Transcription: second pass model); "
        "the new text becomes the transcript, the live text stays in the journal",
    ),
    "settings": ActionText("Settings…", "Ctrl+,", "Providers, keys, transcription and input devices", "Settings"),
    "quit": ActionText("Quit", QKeySequence.StandardKey.Quit, "Quit annotator"),
    "follow": ActionText("Follow newest line", "End", "Scroll to the newest line and keep following"),
}
"""The window's actions by name; the short toolbar labels keep every button visible at 900 px."""


def make_action(window: QMainWindow, says: ActionText, slot: Callable[[], Any]) -> QAction:
    """An action of the window with its shortcut, its tip (the shortcut shown in the tooltip) and its slot."""
    action = QAction(says.text, window)
    if says.shortcut is not None:
        action.setShortcut(QKeySequence(says.shortcut))
    action.setStatusTip(says.tip)
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{says.tip} ({shortcut})" if says.shortcut else says.tip)
    if says.short is not None:
        action.setIconText(says.short)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def build_toolbar(window: QMainWindow, items: Sequence[Item]) -> QToolBar:
    """The session toolbar: text-only buttons, fixed in place."""
    bar = QToolBar("Session", window)
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for item in items:
        if item is None:
            bar.addSeparator()
        elif isinstance(item, QAction):
            bar.addAction(item)
        elif isinstance(item, QWidget):
            bar.addWidget(item)
    window.addToolBar(bar)
    return bar


def build_menu(window: QMainWindow, title: str, items: Sequence[Item]) -> QMenu:
    """A menu of the menu bar with these entries."""
    menu = window.menuBar().addMenu(title)
    for item in items:
        if item is None:
            menu.addSeparator()
        elif isinstance(item, QAction):
            menu.addAction(item)
        elif isinstance(item, QMenu):
            menu.addMenu(item)
    return menu


def fill_recent(menu: QMenu, sessions: Sequence[tuple[Path, str]], on_pick: Callable[[Path], Any]) -> None:
    """File > Open Recent: an entry per ``(journal, label)``, numbered; "No sessions yet" when none."""
    menu.clear()
    for i, (path, label) in enumerate(sessions, 1):
        action = menu.addAction(f"&{i} {label}")
        action.setToolTip(str(path))
        action.setStatusTip(str(path))
        action.triggered.connect(lambda _checked=False, p=path: on_pick(p))
    if menu.isEmpty():
        menu.addAction("No sessions yet").setEnabled(False)


INPUT_COLUMN_MAX_PX = 320


def input_column(parent: QWidget, *widgets: QWidget) -> QWidget:
    """Widgets stacked in one toolbar slot (the input picker with its level right under it)."""
    column = QWidget(parent)
    column.setMaximumWidth(INPUT_COLUMN_MAX_PX)  # a wide window gives the room to the panes, not to one field
    lay = QVBoxLayout(column)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    for w in widgets:
        lay.addWidget(w)
    return column


def heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("paneHeading")
    return label


@dataclass(frozen=True)
class Panes:
    """The parts of the central layout the window shows and hides later."""

    review_section: QWidget
    right_split: QSplitter


def build_panes(
    window: QMainWindow, *, transcript: QWidget, flags: QWidget, review: QWidget, timeline: QWidget, messages: QWidget
) -> Panes:
    """Transcript beside flags (with the review under them, hidden until there is one),
    the sentiment timeline below, the message strip at the bottom."""
    split = QSplitter(Qt.Orientation.Horizontal, window)
    split.setChildrenCollapsible(False)
    left = QWidget(split)
    lv = QVBoxLayout(left)
    lv.setContentsMargins(8, 8, 4, 0)
    lv.addWidget(heading("Transcript", left))
    lv.addWidget(transcript, 1)
    right = QSplitter(Qt.Orientation.Vertical, split)
    right.setChildrenCollapsible(False)
    flags_box = QWidget(right)
    rv = QVBoxLayout(flags_box)
    rv.setContentsMargins(4, 8, 8, 0)
    rv.addWidget(heading("Flags", flags_box))
    rv.addWidget(flags, 1)
    review_box = QWidget(right)
    review_box.setObjectName("reviewSection")
    rr = QVBoxLayout(review_box)
    rr.setContentsMargins(4, 4, 8, 0)
    rr.addWidget(heading("Review", review_box))
    rr.addWidget(review, 1)
    right.addWidget(flags_box)
    right.addWidget(review_box)
    right.setStretchFactor(0, 3)
    right.setStretchFactor(1, 2)
    review_box.hide()
    split.addWidget(left)
    split.addWidget(right)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    split.setSizes([760, 480])
    central = QWidget(window)
    v = QVBoxLayout(central)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(4)
    v.addWidget(split, 1)
    tl = QVBoxLayout()
    tl.setContentsMargins(8, 0, 8, 4)
    tl.addWidget(heading("Sentiment", central))
    tl.addWidget(timeline)
    v.addLayout(tl)
    v.addWidget(messages)
    window.setCentralWidget(central)
    return Panes(review_box, right)
