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


def make_action(
    window: QMainWindow, text: str, shortcut: str | QKeySequence.StandardKey | None, tip: str, slot: Callable[[], Any]
) -> QAction:
    """An action of the window with its shortcut, its tip (the shortcut shown in the tooltip) and its slot."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.setToolTip(
        f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip
    )
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


def input_column(parent: QWidget, *widgets: QWidget) -> QWidget:
    """Widgets stacked in one toolbar slot (the input picker with its level right under it)."""
    column = QWidget(parent)
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
