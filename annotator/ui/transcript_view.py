"""The transcript pane: one row per line (``text.lines``: a chunk, with the fragments of one
speaker's sentence that follow it joined on) with time, speaker, a sentiment marker and the text.

Below the lines, one grey row per source that is still talking shows its partial
text (``set_partial``), updated as it grows and replaced by the line when it comes.

The model holds plain strings; Qt's item delegate paints them as plain text,
so markup in what was said is shown literally.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from annotator.models import Analysis, Chunk
from annotator.text.clock import timestamp
from annotator.text.lines import continues, joined_text
from annotator.ui.format import ChunkMood, chunk_mood, tooltip
from annotator.ui.speaker_names import speaker_color

COLUMNS = ("Time", "Speaker", "Mood", "Text")
COL_TIME, COL_SPEAKER, COL_MOOD, COL_TEXT = range(4)
PENDING = "…"
PARTIAL_COLOR = "#8a8f98"
PARTIAL_ID = -1  # a partial row's chunk id: no chunk yet

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Row:
    """A line: ``chunk`` is the line as one chunk (its first chunk's id), ``ids`` every chunk on it."""

    chunk: Chunk
    mood: ChunkMood | None = None
    flagged: bool = False
    partial: bool = False
    ids: tuple[int, ...] = ()
    last: Chunk | None = None  # the newest chunk on the line


class TranscriptModel(QAbstractTableModel):
    """Chunks in arrival order with their sentiment; looked up by chunk id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._by_id: dict[int, int] = {}
        self._chunks: dict[int, Chunk] = {}  # kept, not rebuilt per call: a saved session asks once per analysis
        self._dots: dict[tuple[str, bool], QPixmap] = {}
        self._partials: list[Row] = []  # after the lines, one per source still talking

    # -- Qt model interface ---------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows) + len(self._partials)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        col = index.column()
        if row.partial:
            return self._partial_data(row, col, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TIME:
                return timestamp(row.chunk.start)
            if col == COL_SPEAKER:
                return row.chunk.who
            if col == COL_MOOD:
                text = PENDING if row.mood is None else row.mood.text
                return f"⚑ {text}" if row.flagged else text
            return row.chunk.text
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_MOOD:
            if row.flagged:
                return QBrush(QColor("#c0392b"))
            return QBrush(QColor(row.mood.color)) if row.mood else QBrush(QColor("#9aa0a6"))
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_SPEAKER:
            return QBrush(QColor(speaker_color(row.chunk.speaker)))
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_TIME:
            return QBrush(QColor("#6b7280"))
        if role == Qt.ItemDataRole.DecorationRole and col == COL_MOOD and row.mood is not None:
            return self._dot(row.mood.color, hollow=row.mood.unavailable)
        if role == Qt.ItemDataRole.FontRole and col == COL_MOOD and row.mood is not None and row.mood.unavailable:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_MOOD:
                return tooltip("Waiting for analysis…" if row.mood is None else row.mood.tooltip)
            if col == COL_TEXT:
                return tooltip(row.chunk.text)
            if col == COL_SPEAKER and row.chunk.speaker:
                c = row.chunk
                said = f"{c.speaker}, on {c.source}" if c.source else c.speaker
                return tooltip(
                    f"{c.speaker_name} ({said})" if c.speaker_name else f"{said}: click to name this speaker"
                )
        if role == Qt.ItemDataRole.UserRole:
            return row.chunk.id
        return None

    def _partial_data(self, row: Row, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (timestamp(row.chunk.start), row.chunk.who, "", row.chunk.text)[col]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(PARTIAL_COLOR))
        if role == Qt.ItemDataRole.FontRole and col == COL_TEXT:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_TEXT:
            return tooltip("Still being said: provisional text, replaced by the line when it ends.")
        return None

    def _dot(self, color: str, *, hollow: bool) -> QPixmap:
        key = (color, hollow)
        pix = self._dots.get(key)
        if pix is None:
            pix = QPixmap(12, 12)
            pix.fill(Qt.GlobalColor.transparent)
            p = QPainter(pix)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor(color), 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush if hollow else QColor(color))
            p.drawEllipse(2, 2, 8, 8)
            p.end()
            self._dots[key] = pix
        return pix

    # -- our interface ---------------------------------------------------------
    def add_chunk(self, chunk: Chunk) -> int:
        """Append a chunk as a new line, or to the last line when it continues its sentence
        (``text.lines.continues``), or replace one with the same id alone on its line; returns its row."""
        if chunk.id in self._by_id:  # a correction or a second pass: the line is made again from its chunks
            r = self._by_id[chunk.id]
            self._chunks[chunk.id] = chunk
            row = self._rows[r]
            parts = [self._chunks[i] for i in row.ids]
            text = parts[0].text.strip()
            for part in parts[1:]:
                text = joined_text(text, part.text)
            first = parts[0]
            line = Chunk(first.id, first.source, first.start, parts[-1].end, text, first.speaker)
            self._rows[r] = replace(row, chunk=line, last=parts[-1])
            self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS) - 1))
            return r
        self._drop_partial(chunk.source, before=chunk.end)
        self._chunks[chunk.id] = chunk
        if self._rows:
            r = len(self._rows) - 1
            row = self._rows[r]
            if row.last is not None and continues(row.last, chunk, row.chunk.start):
                line = Chunk(
                    row.chunk.id,
                    row.chunk.source,
                    row.chunk.start,
                    chunk.end,
                    joined_text(row.chunk.text, chunk.text),
                    row.chunk.speaker,
                )
                self._rows[r] = replace(row, chunk=line, ids=(*row.ids, chunk.id), last=chunk)
                self._by_id[chunk.id] = r
                self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS) - 1))
                return r
        r = len(self._rows)
        self.beginInsertRows(QModelIndex(), r, r)
        self._rows.append(Row(chunk, ids=(chunk.id,), last=chunk))
        self._by_id[chunk.id] = r
        self.endInsertRows()
        return r

    def set_partial(self, source: str, start: float, text: str, speaker: str = "") -> None:
        """Show (or update) the provisional text of ``source``'s utterance in progress, below the lines;
        ``speaker`` when already known (under the name its lines have)."""
        name = next((r.chunk.speaker_name for r in reversed(self._rows) if speaker and r.chunk.speaker == speaker), "")
        chunk = Chunk(PARTIAL_ID, source, start, start, text, speaker, name)
        for i, row in enumerate(self._partials):
            if row.chunk.source == source:
                self._partials[i] = Row(chunk, partial=True)
                r = len(self._rows) + i
                self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS) - 1))
                return
        r = len(self._rows) + len(self._partials)
        self.beginInsertRows(QModelIndex(), r, r)
        self._partials.append(Row(chunk, partial=True))
        self.endInsertRows()

    def clear_partials(self) -> None:
        """Remove every provisional row (the session stopped)."""
        if self._partials:
            first = len(self._rows)
            self.beginRemoveRows(QModelIndex(), first, first + len(self._partials) - 1)
            self._partials.clear()
            self.endRemoveRows()

    def partial_text(self, source: str) -> str | None:
        """The provisional text shown for ``source``, None when there is none."""
        return next((row.chunk.text for row in self._partials if row.chunk.source == source), None)

    def _drop_partial(self, source: str, before: float) -> None:
        """Remove ``source``'s provisional row if its utterance started before ``before`` (a line
        can arrive after the partial text of the next utterance: speaker labelling delays it)."""
        for i, row in enumerate(self._partials):
            if row.chunk.source == source and row.chunk.start < before:
                r = len(self._rows) + i
                self.beginRemoveRows(QModelIndex(), r, r)
                del self._partials[i]
                self.endRemoveRows()
                return

    def set_analysis(self, analysis: Analysis) -> None:
        """Give every chunk of the analysis its sentiment marker."""
        mood = chunk_mood(analysis)
        for cid in analysis.chunk_ids:
            self._update(cid, mood=mood)

    def name_speaker(self, speaker: str, name: str) -> None:
        """Show every line of speaker ``speaker`` under ``name`` ("": under its id again)."""
        names = {speaker: name}
        for r, row in enumerate(self._rows):
            if row.chunk.speaker == speaker:
                chunk = row.chunk.named(names)
                self._rows[r] = replace(row, chunk=chunk)
                self._chunks[chunk.id] = chunk
                self.dataChanged.emit(self.index(r, COL_SPEAKER), self.index(r, COL_SPEAKER))

    def set_flagged(self, chunk_ids: Iterable[int | None]) -> None:
        for cid in chunk_ids:
            if cid is not None:
                self._update(cid, flagged=True)

    def _update(self, chunk_id: int, **changes: Any) -> None:
        r = self._by_id.get(chunk_id)
        if r is None:
            return
        self._rows[r] = replace(self._rows[r], **changes)
        self.dataChanged.emit(self.index(r, COL_MOOD), self.index(r, COL_MOOD))

    def line_chunks(self, r: int) -> list[Chunk]:
        """The chunks shown on row ``r``, in order (none for a provisional row)."""
        return [self._chunks[i] for i in self.row_at(r).ids]

    def row_of(self, chunk_id: int) -> int | None:
        return self._by_id.get(chunk_id)

    def row_at(self, r: int) -> Row:
        """The row at ``r``: a line, or (after the lines) a provisional row with ``partial`` set."""
        return self._rows[r] if r < len(self._rows) else self._partials[r - len(self._rows)]

    def chunks(self) -> Mapping[int, Chunk]:
        """Every chunk by id, in arrival order (read-only: the model's own)."""
        return MappingProxyType(self._chunks)

    def last_chunk(self) -> Chunk | None:
        return self._rows[-1].last if self._rows else None

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._by_id.clear()
        self._chunks.clear()
        self._partials.clear()
        self.endResetModel()


class TranscriptView(QTableView):
    """Shows a ``TranscriptModel``; keeps the newest line in view unless the user scrolled up.

    Signals:
        chunk_selected(int): the user selected the row of this chunk id.
        speaker_clicked(str, str): the user clicked the speaker cell of a line whose speaker is known
            (its id and current name).
    """

    chunk_selected = Signal(int)
    speaker_clicked = Signal(str, str)

    def __init__(self, model: TranscriptModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setModel(model)
        self._model = model
        self.setWordWrap(True)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        # Row heights follow the wrapped text, but only the rows that changed are
        # measured: ResizeToContents re-measures every row on each new line
        # (35 ms at 20 rows, 420 ms at an hour's 600 rows, on the GUI thread).
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        model.rowsInserted.connect(lambda _p, first, last: self._fit_rows(first, last))
        model.dataChanged.connect(lambda top, bottom, *_: self._fit_rows(top.row(), bottom.row()))
        model.modelReset.connect(self.resizeRowsToContents)
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self.resizeRowsToContents)
        header = self.horizontalHeader()
        header.sectionResized.connect(self._on_column_resized)
        header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_TIME, self.fontMetrics().horizontalAdvance("0:00:00") + 24)
        header.setSectionResizeMode(COL_SPEAKER, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_SPEAKER, 80)
        model.rowsInserted.connect(self._fit_speaker)
        header.setSectionResizeMode(COL_MOOD, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_MOOD, 108)
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self._follow = True
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._on_range_changed)
        self.selectionModel().currentRowChanged.connect(self._on_current)
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() != COL_SPEAKER:
            return
        chunk = self._model.row_at(index.row()).chunk
        if chunk.speaker:
            self.speaker_clicked.emit(chunk.speaker, chunk.speaker_name)

    def _fit_rows(self, first: int, last: int) -> None:
        for row in range(first, last + 1):
            self.resizeRowToContents(row)

    def _on_column_resized(self, column: int, _old: int, _new: int) -> None:
        if column == COL_TEXT:  # the text wraps differently: every row's height may change
            self._refit.start()  # once the header has finished laying out (a resize moves it many times)

    def _fit_speaker(self, _parent: QModelIndex, first: int, last: int) -> None:
        metrics = self.fontMetrics()
        want = max(metrics.horizontalAdvance(self._model.row_at(r).chunk.who) for r in range(first, last + 1)) + 20
        if want > self.columnWidth(COL_SPEAKER):
            self.setColumnWidth(COL_SPEAKER, min(want, 180))

    placeholder = (
        "Press Record (Ctrl+R) to transcribe the selected input, or Open (Ctrl+O) a session, "
        "transcript or audio file to replay it."
    )

    def set_placeholder(self, text: str) -> None:
        """What the empty transcript says (before a session, while listening, ...)."""
        self.placeholder = text
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if self._model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#8a8f98"))
            rect = self.viewport().rect().adjusted(24, 24, -24, -24)
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap),
                self.placeholder,
            )
            painter.end()

    @property
    def following(self) -> bool:
        """True while the view sticks to the newest line."""
        return self._follow

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum() - 4

    def _on_range_changed(self, _lo: int, hi: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(hi)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cid = self._model.data(current, Qt.ItemDataRole.UserRole)
        if isinstance(cid, int):
            self.chunk_selected.emit(cid)

    def select_chunks(self, chunk_ids: Iterable[int | None]) -> list[int]:
        """Select the rows of these chunks and scroll so the earliest is in view, then the latest.

        Returns the chunk ids that were found and selected.
        """
        wanted = {cid for cid in chunk_ids if cid is not None}
        rows = sorted({r for cid in wanted if (r := self._model.row_of(cid)) is not None})
        selection = QItemSelection()
        for r in rows:
            selection.select(self._model.index(r, 0), self._model.index(r, len(COLUMNS) - 1))
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if rows:
            self._follow = False
            self.scrollTo(self._model.index(rows[-1], COL_TEXT), QAbstractItemView.ScrollHint.EnsureVisible)
            self.scrollTo(self._model.index(rows[0], COL_TEXT), QAbstractItemView.ScrollHint.EnsureVisible)
        return [cid for r in rows for cid in self._model.row_at(r).ids if cid in wanted]

    def selected_chunk_ids(self) -> list[int]:
        rows = (self._model.row_at(i.row()) for i in self.selectionModel().selectedRows())
        return sorted(cid for row in rows if not row.partial for cid in row.ids)

    def scroll_to_newest(self) -> None:
        self._follow = True
        self.scrollToBottom()
