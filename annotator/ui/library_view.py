"""The library page: every saved session, newest first, and a search across all of them.

Only renders and reports intents; ``ui.library_controller`` does the work.
The sessions table is a model (``SessionsModel``), so 1,000 sessions cost
1,000 rows of data, not 8,000 widgets. Text from transcripts is plain text.

Signals (the user's intents):
    search_changed(str)              the search box's text changed
    open_requested(str, int)         open a session (journal path) at a line (chunk id; -1: the start)
    act_requested(str, str)          "replay" | "export" | "review" | "delete" | "repair" on a journal path
    rename_requested(str, str)       a session (journal path) renamed to a title
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.library.search import Hit
from annotator.library.summary import SessionSummary
from annotator.text.clock import timestamp
from annotator.text.money import cost

COLUMNS = ("Date", "Duration", "Title", "Speakers", "Flags", "Review", "Cost", "")
TITLE_COLUMN = 2
COLUMN_SAMPLES = {  # column -> its widest usual text, for its width
    0: "2026-12-02 14:37",
    1: "1:02:05",
    3: "Ada, Bob, You",
    4: "99",
    5: "reviewed",
    6: "$0.0123",
    7: "did not close cleanly",
}
KIND_LABELS = {"line": "", "flag": "⚑ ", "note": "✎ ", "review": "review: ", "title": "title: "}

AnyIndex = QModelIndex | QPersistentModelIndex


def session_cells(s: SessionSummary) -> tuple[str, ...]:
    return (
        s.created[:16].replace("T", " ") or s.id,
        timestamp(s.duration),
        s.shown_title,
        ", ".join(s.speakers),
        str(s.flags) if s.flags else "",
        s.review,
        cost(s.cost_usd) if s.cost_usd else "",
        "did not close cleanly" if s.unclean else "",
    )


def hit_text(h: Hit) -> str:
    who = f"{h.who}: " if h.who and h.kind == "line" else ""
    return f"{h.title} · {timestamp(h.at)} · {KIND_LABELS.get(h.kind, '')}{who}{h.snippet}"


class SessionsModel(QAbstractTableModel):
    """The library's rows; the title is editable (``renamed`` says to what)."""

    renamed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions: list[SessionSummary] = []
        self._cells: list[tuple[str, ...]] = []

    def set_sessions(self, sessions: Sequence[SessionSummary]) -> None:
        self.beginResetModel()
        self.sessions = list(sessions)
        self._cells = [session_cells(s) for s in self.sessions]
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.sessions)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.sessions[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if role == Qt.ItemDataRole.EditRole and index.column() == TITLE_COLUMN:
                return s.shown_title
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.path
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == TITLE_COLUMN else base

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        title = str(value).strip()
        if role != Qt.ItemDataRole.EditRole or index.column() != TITLE_COLUMN or not title:
            return False
        s = self.sessions[index.row()]
        if title != s.shown_title:
            self.renamed.emit(s.path, title)
        return False  # the row changes when the journal says so (the controller reloads)


class LibraryView(QWidget):
    """The library page (see the module docstring for its signals)."""

    search_changed = Signal(str)
    open_requested = Signal(str, int)
    act_requested = Signal(str, str)
    rename_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryView")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search every transcript, flag, note and review…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.model = SessionsModel(self)
        self.model.renamed.connect(self.rename_requested)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line per session: a date broken in two read as two rows
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        # widths from the widest text each column holds (measured once, not per row: a thousand sessions open fast)
        metrics = self.table.fontMetrics()
        for column, widest in COLUMN_SAMPLES.items():
            width = max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance(COLUMNS[column]))
            header.resizeSection(column, width + 24)
        self.table.doubleClicked.connect(lambda index: self._act_on_row(index.row(), "open"))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._sync_buttons())
        self.hits = QListWidget(self)
        self.hits.setWordWrap(True)
        self.hits.itemActivated.connect(self._hit_chosen)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.hits)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, label, tip in (
            ("open", "Open", "Show the session with its stored analyses (Enter, or double-click)"),
            ("replay", "Replay", "Replay the session as it was said"),
            ("export", "Export…", "Export as Markdown, JSON, SRT or VTT"),
            ("review", "Review…", "The post-session review (asks first, with the cost)"),
            ("repair", "Repair", "Close a session that did not close cleanly, keeping every line"),
            ("delete", "Delete…", "Send the journal and its audio to the trash (asks first)"),
        ):
            button = QPushButton(label, self)
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, n=name: self._act_on_selected(n))
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.pages, 1)
        layout.addLayout(row)
        self._sync_buttons()

    # -- showing -------------------------------------------------------------------------
    def show_sessions(self, sessions: Sequence[SessionSummary]) -> None:
        selected = self.selected()
        self.model.set_sessions(sessions)
        if selected is not None:
            for i, s in enumerate(self.model.sessions):
                if s.path == selected.path:
                    self.table.selectRow(i)
        if not self.search.text().strip():
            self.status.setText(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}")
        self._sync_buttons()

    def show_hits(self, query: str, hits: Sequence[Hit]) -> None:
        if query != self.search.text().strip():
            return  # an answer to an earlier query: the user typed on
        self.hits.clear()
        for h in hits:
            item = QListWidgetItem(hit_text(h))
            item.setData(Qt.ItemDataRole.UserRole, (h.path, -1 if h.chunk_id is None else h.chunk_id))
            item.setToolTip(h.text)
            self.hits.addItem(item)
        self.status.setText(f"{len(hits)} line{'s' if len(hits) != 1 else ''} found" if hits else "Nothing found")

    def selected(self) -> SessionSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.sessions[rows[0].row()] if rows else None

    # -- intents -------------------------------------------------------------------------
    def _search_changed(self, text: str) -> None:
        query = text.strip()
        self.pages.setCurrentWidget(self.hits if query else self.table)
        if not query:
            self.status.setText(f"{len(self.model.sessions)} sessions")
        self.search_changed.emit(query)

    def _hit_chosen(self, item: QListWidgetItem) -> None:
        path, chunk_id = item.data(Qt.ItemDataRole.UserRole)
        self.open_requested.emit(path, chunk_id)

    def _act_on_row(self, row: int, name: str) -> None:
        s = self.model.sessions[row]
        if name == "open":
            self.open_requested.emit(s.path, -1)
        else:
            self.act_requested.emit(name, s.path)

    def _act_on_selected(self, name: str) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._act_on_row(rows[0].row(), name)

    def _sync_buttons(self) -> None:
        s = self.selected()
        for name, button in self.buttons.items():
            button.setEnabled(s is not None and (name != "repair" or s.unclean))
