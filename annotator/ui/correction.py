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
from annotator.models import Chunk
from annotator.text.lines import split_text
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
        chunks = model.line_chunks(index.row())
        path = self.window.session_path
        if self.backend.active:
            self.messages.info(WHILE_RUNNING)
            return None
        if path is None or not chunks:
            return None
        line = model.row_at(index.row()).chunk
        rect = self.window.transcript.visualRect(index)
        where = self.window.transcript.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom()))
        return ask_line(self.window, where, line.text, lambda text: self.save_line(Path(path), chunks, text))

    def save_line(self, path: Path, chunks: list[Chunk], text: str) -> None:
        """Save the edit of a line: one correction per chunk of it whose text changed
        (``text.lines.split_text``; a chunk whose words were all deleted keeps its text)."""
        if len(chunks) == 1:
            self.save(path, chunks[0].id, text)
            return
        new = split_text([c.text for c in chunks], text)
        changed = [(c.id, t) for c, t in zip(chunks, new, strict=True) if t and t != c.text]
        if changed:
            self._save_all(path, changed)

    def save(self, path: Path, chunk_id: int, text: str) -> None:
        self._save_all(path, [(chunk_id, text)])

    def _save_all(self, path: Path, changes: list[tuple[int, str]]) -> None:
        def write() -> SessionRecord:
            record: SessionRecord | None = None
            for chunk_id, text in changes:
                record = append_correction(path, chunk_id, text)
            assert record is not None
            return record

        def saved(record: SessionRecord) -> None:
            ids = {chunk_id for chunk_id, _ in changes}
            for fixed in (c for c in record.chunks if c.id in ids):
                shown = self.window.transcript_model.chunks().get(fixed.id)
                if shown is not None:
                    self.window.transcript_model.add_chunk(dataclasses.replace(shown, text=fixed.text))
            which = ", ".join(str(i) for i in sorted(ids))
            self.messages.info(
                f"Line{'s' if len(ids) > 1 else ''} {which} corrected; the original stays in {path.name}."
            )
            if self.on_saved is not None:
                self.on_saved(path)

        self.bridge.run_blocking(write, what="Saving the correction", on_result=saved)
