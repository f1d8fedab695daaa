"""The library page's work: listing, searching, renaming, repairing and deleting sessions, off the Qt thread.

``install_library`` makes the window's central area two pages, the library
(the start page) and the session, and adds File > Library (Ctrl+L). Every
index call goes through ``IndexFeed.call`` in a worker thread
(``Bridge.run_blocking``); a search answer that arrives after the user typed
on is dropped. Opening a session goes through the window's own
``open_requested`` (the session controller opens it); when the session has
been shown (``Opened``), the line chosen in a search is selected, or the
review or export asked for from the library starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QStackedWidget, QWidget

from annotator.journal.recovery import append_title, repair
from annotator.journal.store import trash_session
from annotator.library.feed import IndexFeed
from annotator.library.index import LibraryIndex
from annotator.library.listing import remove, sessions
from annotator.library.refresh import Refreshed, refresh
from annotator.library.search import Hit, search
from annotator.library.summary import SessionSummary
from annotator.sessions.events import Event, Opened, SessionClosed, SessionStarted
from annotator.ui.bridge import Bridge
from annotator.ui.library_view import LibraryView
from annotator.ui.messages import MessageHub
from annotator.ui.window_layout import ActionText, make_action

SEARCH_DELAY_MS = 120
SEARCH_LIMIT = 200
LIBRARY_ACTION = ActionText("Library", "Ctrl+L", "Every saved session: open, replay, export, review, search", "Library")


def listing(index: LibraryIndex) -> tuple[Refreshed, list[SessionSummary]]:
    """Catch up with the journals, then the rows (in a worker thread)."""
    return refresh(index), sessions(index)


class LibraryController(QObject):
    """Drives ``LibraryView`` for the window; ``pages`` shows the library or the session."""

    def __init__(
        self,
        window: Any,
        view: LibraryView,
        pages: QStackedWidget,
        feed: IndexFeed,
        bridge: Bridge,
        messages: MessageHub,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.view = view
        self.pages = pages
        self.feed = feed
        self.bridge = bridge
        self.messages = messages
        self._pending: tuple[str, str, int] | None = None  # (journal, what, chunk id) once it is shown
        self._query = ""
        self.action: QAction | None = None  # File > Library (Ctrl+L), made by ``install_library``
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        view.search_changed.connect(self._search_changed)
        view.open_requested.connect(self.open_at)
        view.act_requested.connect(self.act)
        view.rename_requested.connect(self.rename)
        bridge.event.connect(self._on_event)
        for signal in (window.record_requested, window.open_requested, window.replay_requested):
            signal.connect(lambda *_a: self.show_session())

    # -- pages ----------------------------------------------------------------------------
    def show_library(self) -> None:
        self.pages.setCurrentWidget(self.view)
        self.view.search.setFocus()
        self.reload()

    def show_session(self) -> None:
        self.pages.setCurrentIndex(1)

    def toggle(self) -> None:
        if self.pages.currentWidget() is self.view:
            self.show_session()
        else:
            self.show_library()

    # -- listing and searching ------------------------------------------------------------
    def reload(self) -> None:
        def shown(result: tuple[Refreshed, list[SessionSummary]]) -> None:
            refreshed, sessions = result
            for warning in refreshed.warnings:
                self.messages.info(warning)
            self.view.show_sessions(sessions)
            if self._query:
                self._search()

        self.bridge.run_blocking(self.feed.call, listing, what="Listing the saved sessions", on_result=shown)

    def _search_changed(self, query: str) -> None:
        self._query = query
        if query:
            self._timer.start()

    def _search(self) -> None:
        query = self._query
        if not query:
            return

        def found(hits: list[Hit]) -> None:
            self.view.show_hits(query, hits)

        self.bridge.run_blocking(
            self.feed.call, lambda index: search(index, query, SEARCH_LIMIT), what="Searching", on_result=found
        )

    # -- acting on a session ------------------------------------------------------------
    def open_at(self, path: str, chunk_id: int = -1, then: str = "line") -> None:
        self._pending = (path, then, chunk_id)
        self.window.open_requested.emit(path)

    def act(self, name: str, path: str) -> None:
        if name == "replay":
            self.window.replay_requested.emit(path)
        elif name in ("export", "review"):
            self.open_at(path, -1, name)
        elif name == "repair":
            self.bridge.run_blocking(repair, Path(path), what="Repairing the session", on_result=self._repaired)
        elif name == "delete":
            self.delete(path)

    def _repaired(self, record: Any) -> None:
        self.messages.info(f"{record.path}: repaired; every line that was saved is kept.")
        self.reload()

    def delete(self, path: str) -> None:
        shown = next((s.shown_title for s in self.view.model.sessions if s.path == path), Path(path).stem)
        question = f"Move “{shown}” ({Path(path).name}) and its audio to the trash? You can restore it from there."
        if not self.window.confirm("Delete this session?", question):
            return
        stem = Path(path).stem

        def trashed(_files: list[Path]) -> None:
            self.feed.put(lambda index: remove(index, stem))
            self.messages.info(f"{Path(path).name} and its audio were moved to the trash.")
            self.reload()

        self.bridge.run_blocking(trash_session, Path(path), what="Deleting the session", on_result=trashed)

    def rename(self, path: str, title: str) -> None:
        self.bridge.run_blocking(
            append_title, Path(path), title, what="Renaming the session", on_result=lambda _r: self.reload()
        )

    def _on_event(self, event: Event) -> None:
        if isinstance(event, Opened) and self._pending is not None and self._pending[0] == event.path:
            _path, then, chunk_id = self._pending
            self._pending = None
            if then == "line" and chunk_id >= 0:
                self.window.transcript.select_chunks([chunk_id])
            elif then == "review":
                self.window.review_requested.emit()
            elif then == "export":
                self.window.act_export.trigger()
        elif isinstance(event, SessionStarted):  # however it started (reopened at start-up, `replay PATH`)
            self.show_session()
        elif isinstance(event, SessionClosed) and self.pages.currentWidget() is self.view:
            self.reload()


def install_library(window: QMainWindow, feed: IndexFeed, bridge: Bridge, messages: MessageHub) -> LibraryController:
    """Give the window its library page (the start page) and File > Library (Ctrl+L)."""
    session_page = window.takeCentralWidget()
    pages = QStackedWidget(window)
    view = LibraryView(pages)
    pages.addWidget(view)
    pages.addWidget(session_page if session_page is not None else QWidget(pages))
    window.setCentralWidget(pages)
    controller = LibraryController(window, view, pages, feed, bridge, messages, parent=window)
    action = make_action(window, LIBRARY_ACTION, controller.toggle)
    file_menu = window.menuBar().actions()[0].menu()
    if isinstance(file_menu, QMenu) and file_menu.actions():
        file_menu.insertAction(file_menu.actions()[0], action)
    controller.action = action
    return controller
