"""Correcting a misheard line: double-click a transcript line of a saved session, edit, Enter.

The correction is a ``correction`` record appended to the session's journal
(``journal.recovery.append_correction``, in a worker thread; the chunk
record keeps what was transcribed). The line on screen then shows the
corrected text; exports, the review and the library read the journal, so
they use it too (``on_saved`` lets the library re-index the session).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPoint

from annotator.journal.record import SessionRecord
from annotator.journal.recovery import append_correction
from annotator.ui.bridge import Bridge
from annotator.ui.messages import MessageHub
from annotator.ui.note_field import NoteField, ask_line

WHILE_RUNNING = "Lines can be corrected once the session has ended (its journal is still being written)."


class Corrections(QObject):
    """Wires double-click on the window's transcript to a correction (see the module docstring)."""

    def __init__(
        self,
        window: Any,
        backend: Any,
        bridge: Bridge,
        messages: MessageHub,
        on_saved: Callable[[Path], None] | None = None,
    ) -> None:
        super().__init__(window)  # lives as long as the window
        self.window = window
        self.backend = backend
        self.bridge = bridge
        self.messages = messages
        self.on_saved = on_saved
        window.transcript.doubleClicked.connect(self.edit_row)

    def edit_row(self, index: QModelIndex) -> NoteField | None:
        model = self.window.transcript_model
        chunk = model.row_at(index.row()).chunk
        path = self.window.session_path
        if self.backend.active:
            self.messages.info(WHILE_RUNNING)
            return None
        if path is None:
            return None
        rect = self.window.transcript.visualRect(index)
        where = self.window.transcript.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom()))
        return ask_line(self.window, where, chunk.text, lambda text: self.save(Path(path), chunk.id, text))

    def save(self, path: Path, chunk_id: int, text: str) -> None:
        def saved(record: SessionRecord) -> None:
            fixed = next((c for c in record.chunks if c.id == chunk_id), None)
            if fixed is not None:
                shown = self.window.transcript_model.chunks().get(chunk_id)
                if shown is not None:
                    self.window.transcript_model.add_chunk(dataclasses.replace(shown, text=fixed.text))
            self.messages.info(f"Line {chunk_id} corrected; the original stays in {path.name}.")
            if self.on_saved is not None:
                self.on_saved(path)

        self.bridge.run_blocking(append_correction, path, chunk_id, text, what="Saving the correction", on_result=saved)
