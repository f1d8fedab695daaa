"""Settings > Transcription: faster-whisper's models, and downloading the one picked.

Each row says the model's name, language (English only or multilingual), download size,
estimated speed on this machine and whether it is on disk. "Use for live" / "Use for the
second pass" with a model that is not on disk downloads it first (``transcription.download``
in a worker thread through the bridge) with a progress bar and a Cancel button; a failed or
offline download says so in the dialog and keeps the current choice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.errors import ModelError
from annotator.transcription.catalog import BUNDLED, MODELS, installed
from annotator.transcription.download import download_model
from annotator.ui.bridge import Bridge
from annotator.ui.labels import reason_label, show_reason

COLUMNS = ("Model", "Language", "Download", "Speed here (est.)", "On disk")
Downloader = Callable[..., Path]


class ModelPicker(QWidget):
    """The model list with its download. Signals:

    chosen(str, str): ("live" or "second", model name) once the model is on disk.
    progress(int, int): bytes done, total (emitted from the download thread; shown on the GUI thread).
    """

    chosen = Signal(str, str)
    progress = Signal(int, int)

    def __init__(
        self, bridge: Bridge, cache_dir: Path, *, downloader: Downloader = download_model, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._cache_dir = cache_dir
        self._downloader = downloader
        self._cancel: threading.Event | None = None
        self.on_disk: dict[str, bool] = {BUNDLED: True}
        self.table = QTableWidget(len(MODELS), len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, m in enumerate(MODELS):
            speed = m.seconds_per_minute()
            cells = (m.name, m.language, _size(m.size_mb), f"{speed:.0f} s per min of audio", "")
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.use_live = QPushButton("Use for live", self)
        self.use_second = QPushButton("Use for the second pass", self)
        self.cancel = QPushButton("Cancel download", self)
        self.bar = QProgressBar(self)
        self.status = reason_label(self, 2, name="hint")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.use_live.clicked.connect(lambda: self.pick("live"))
        self.use_second.clicked.connect(lambda: self.pick("second"))
        self.cancel.clicked.connect(self.cancel_download)
        self.progress.connect(self._show_progress)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_live)
        buttons.addWidget(self.use_second)
        buttons.addWidget(self.bar, 1)
        buttons.addWidget(self.cancel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        self._downloading(False)
        self.refresh()

    # -- state ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Look at the disk (in a thread) for which models are there."""

        def look() -> dict[str, bool]:
            return {m.name: installed(m.name, self._cache_dir) for m in MODELS}

        self._bridge.run_blocking(look, what="Looking for downloaded models", on_result=self._show_on_disk)

    def _show_on_disk(self, found: dict[str, bool]) -> None:
        self.on_disk.update(found)
        for row, m in enumerate(MODELS):
            item = self.table.item(row, 4)
            if item is not None:
                item.setText("✓" if self.on_disk.get(m.name) else "—")

    def select(self, name: str) -> None:
        for row, m in enumerate(MODELS):
            if m.name == name:
                self.table.selectRow(row)

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return MODELS[rows[0].row()].name if rows else None

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def _downloading(self, on: bool) -> None:
        self.bar.setVisible(on)
        self.cancel.setVisible(on)
        self.use_live.setEnabled(not on)
        self.use_second.setEnabled(not on)

    # -- intents ----------------------------------------------------------------------
    def pick(self, role: str) -> None:
        """Use the selected model for ``role`` ("live" or "second"), downloading it first if needed."""
        name = self.selected()
        if name is None:
            show_reason(self.status, "Select a model in the list first.")
            return
        if self.on_disk.get(name):
            show_reason(self.status, "")
            self.chosen.emit(role, name)
            return
        cancel = threading.Event()
        self._cancel = cancel
        self._downloading(True)
        self.bar.setRange(0, 0)  # busy until the first report gives the size
        show_reason(self.status, f"Downloading {name}…")

        def done(outcome: Path | str) -> None:
            self._finish()
            if isinstance(outcome, str):  # failed, offline or cancelled: said here, the choice is kept
                show_reason(self.status, outcome)
                return
            self.on_disk[name] = True
            self._show_on_disk({})
            show_reason(self.status, f"{name} is downloaded.")
            self.chosen.emit(role, name)

        self._bridge.run(
            _download(self._downloader, name, self._cache_dir, self.progress.emit, cancel),
            what=f"Downloading the model {name}",
            on_result=done,
            on_failure=lambda _err: self._finish(),
        )

    def cancel_download(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _finish(self) -> None:
        self._cancel = None
        self._downloading(False)

    def _show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            return
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * done / total))
        self.bar.setFormat(f"{done / 1e6:.0f} of {total / 1e6:.0f} MB")


def _size(mb: int) -> str:
    return f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb} MB"


async def _download(
    downloader: Downloader, name: str, cache: Path, report: Callable[[int, int], None], cancel: threading.Event
) -> Path | str:
    """The download in a worker thread: its directory, or the sentence saying why there is none
    (shown in the dialog, next to the list, rather than as a message of the window)."""
    import asyncio

    try:
        return await asyncio.to_thread(downloader, name, cache, on_progress=report, cancel=cancel)
    except ModelError as err:
        return str(err)
