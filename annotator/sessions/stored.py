"""Saved sessions and audio files as a session's source: shown at once, replayed, marked afterwards. No Qt.

- ``show_saved``: File > Open of a journal: its chunks, stored analyses,
  marks and review go to the sink in one go (nothing is replayed or called).
- ``StoredSession``: File > Replay of a journal: which stored analyses and
  marks are due once a line has appeared (the pipeline shows them).
- ``AudioFile``: an audio file played through the live path (a capture's
  ``stream_factory``), and the wait for its end.
- ``SavedMarks``: marks added to a saved journal, appended one at a time, in order.
- ``export_saved``: a saved session written out as Markdown, JSON, SRT or VTT.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.errors import AnnotatorError, InputError
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Chunk, Mark, SpeakerName
from annotator.sessions.events import Opened, ReviewShown, SessionStarted
from annotator.sessions.review import ReviewRun

if TYPE_CHECKING:
    from annotator.sessions.sinks import Sink

SHOW_SLICE = 100
"""Records of a saved session handed to the sink between two paints (``show_saved``)."""


async def read_saved(path: Path) -> SessionRecord:
    """The saved session at ``path``, read in a thread (``InputError`` when it is not there)."""
    from annotator.formats.readers import read_session

    if not await asyncio.to_thread(path.exists):
        raise InputError(f"{path}: no such file")
    return await asyncio.to_thread(read_session, path)


async def show_saved(path: Path, record: SessionRecord, sink: Sink) -> None:
    """Hand the saved session ``record`` (read from ``path``) to ``sink`` as recorded
    ("session", its lines, analyses and marks, "opened", then its review if it has one)."""
    sink.on_event(SessionStarted(str(path)))
    for w in record.warnings:
        sink.on_error(InputError(str(w)))
    # in slices, letting the window paint between them: the first lines show
    # at once and the window answers while a long session fills in
    delivered = 0
    batches: tuple[tuple[Callable[[Any], None], Sequence[Any]], ...] = (
        (sink.on_chunk, record.chunks),
        (sink.on_analysis, record.analyses),
        (sink.on_mark, record.marks),
    )
    for deliver, items in batches:
        for item in items:
            deliver(item)
            delivered += 1
            if delivered % SHOW_SLICE == 0:
                await asyncio.sleep(0)
    terms = record.header.get("vocabulary")
    vocabulary = tuple(str(t) for t in terms) if isinstance(terms, list) and terms else None
    sink.on_event(Opened(str(path), len(record.chunks), len(record.analyses), len(record.marks), vocabulary))
    if record.review is not None:
        sink.on_event(ReviewShown(ReviewRun.of(path, record, record.review)))


async def export_saved(session: Path, output: Path, fmt: str) -> Path:
    """Write the saved session at ``session`` to ``output`` as ``fmt`` (md, json, srt, vtt), in a thread."""
    from annotator.formats.readers import read_session
    from annotator.formats.writers import export, write_export

    if fmt not in ("md", "json", "srt", "vtt"):
        raise InputError(f"{output}: unknown export format {fmt!r}; pick Markdown, JSON, SRT or VTT")

    def save() -> Path:  # reading, formatting (a long Markdown takes a while) and writing: off the loop
        return write_export(output, export(read_session(session), fmt))

    return await asyncio.to_thread(save)


class StoredSession:
    """Replaying a saved session: each stored analysis is due once all its
    chunks have appeared, and each mark with its chunk, so flags and marks
    arrive at the moment they did live. No provider is called."""

    def __init__(self, analyses: Sequence[Analysis], marks: Sequence[Mark]) -> None:
        # Looked up by chunk id: each line releases what waited for it alone, instead of
        # every line scanning every stored analysis and mark (issue 19).
        self.analyses = list(analyses)
        self._missing = [len(set(a.chunk_ids)) for a in self.analyses]  # chunks not yet seen, per analysis
        self._by_chunk: dict[int, list[int]] = {}
        for n, a in enumerate(self.analyses):
            for cid in set(a.chunk_ids):
                self._by_chunk.setdefault(cid, []).append(n)
        self.marks = list(marks)
        self._marks_by_chunk: dict[int | None, list[int]] = {}
        for n, m in enumerate(self.marks):
            self._marks_by_chunk.setdefault(m.chunk_id, []).append(n)
        self._ready = [n for n, k in enumerate(self._missing) if k == 0]  # due with the first line
        self._due = self._marks_by_chunk.pop(None, [])
        self.seen: set[int] = set()

    def due(self, chunk: Chunk) -> tuple[list[Analysis], list[Mark]]:
        """``chunk`` has appeared: the analyses and marks to show now, in journal order."""
        if chunk.id not in self.seen:
            self.seen.add(chunk.id)
            for n in self._by_chunk.pop(chunk.id, ()):
                self._missing[n] -= 1
                if self._missing[n] == 0:
                    self._ready.append(n)
            self._due.extend(self._marks_by_chunk.pop(chunk.id, ()))
        ready, self._ready = sorted(self._ready), []
        due, self._due = sorted(self._due), []
        return [self.analyses[n] for n in ready], [self.marks[n] for n in due]


class AudioFile:
    """A ``stream_factory`` that plays one audio file and remembers its stream (to set
    its speed); made on the event loop, which ``wait_finished`` is woken on."""

    def __init__(self, path: Path, speed: float) -> None:
        from annotator.audio.file_stream import FileInputStream

        self._cls = FileInputStream
        self.path = path
        self.speed = None if speed <= 0 else speed
        self.stream: Any = None
        self._loop = asyncio.get_running_loop()
        self._finished = asyncio.Event()

    def __call__(self, device: Any, callback: Any) -> Any:
        self.stream = self._cls(self.path, callback, speed=self.speed, on_finished=self._played_out)
        return self.stream

    def _played_out(self) -> None:  # the stream's thread: hand the news to the loop
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody waits
            self._loop.call_soon_threadsafe(self._finished.set)

    def set_speed(self, speed: float) -> None:
        self.speed = None if speed <= 0 else speed
        if self.stream is not None:
            self.stream.speed = self.speed

    def pause(self) -> None:
        if self.stream is not None:
            self.stream.pause()

    def resume(self) -> None:
        if self.stream is not None:
            self.stream.resume()

    async def wait_finished(self) -> None:
        """Until the file has been played out (Stop cancels this)."""
        await self._finished.wait()


class SavedMarks:
    """Marks added to saved journals: appended in a thread, one at a time and in
    order; ``saved()`` waits for those still being written (quitting)."""

    def __init__(self, on_error: Callable[[AnnotatorError], None]) -> None:
        self._on_error = on_error
        self._lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def append(self, path: Path, mark: Mark) -> asyncio.Task[None]:
        """Start appending ``mark`` to the journal at ``path``; a failure goes to ``on_error``
        unless the caller awaits the task (``add``)."""
        task = asyncio.get_running_loop().create_task(self._append(path, mark))
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    async def add(self, path: Path, kind: str, note: str, chunk_id: int | None = None) -> Mark:
        """A bookmark or flag on the saved session at ``path`` (not running), on the line
        ``chunk_id`` (None: the last line): appended, and returned once saved; a failure
        is raised here (not also reported)."""
        from annotator.formats.readers import read_session

        if path.suffix.lower() != ".jsonl":
            raise InputError(
                f"{path.name}: marks are kept in a session journal (.jsonl); this is an export, so open the journal to mark it"
            )
        record = await asyncio.to_thread(read_session, path)
        by_id = {c.id: c for c in record.chunks}
        chunk = by_id.get(chunk_id) if chunk_id is not None else (record.chunks[-1] if record.chunks else None)
        mark = Mark(
            at=max(chunk.end, 0.0) if chunk is not None else 0.0,
            kind=kind,
            note=note,
            chunk_id=None if chunk is None else chunk.id,
        )
        task = asyncio.get_running_loop().create_task(self._append(path, mark))
        self._tasks.add(task)  # quitting waits for it (``saved``)
        task.add_done_callback(self._tasks.discard)
        await asyncio.shield(task)
        return mark

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            err = task.exception()
            self._on_error(
                err if isinstance(err, AnnotatorError) else AnnotatorError(f"The mark was not saved ({err}).")
            )

    async def name(self, path: Path, rename: SpeakerName) -> None:
        """Append a speaker's name to the saved journal at ``path`` (in order with the marks); raised here."""
        if path.suffix.lower() != ".jsonl":
            raise InputError(
                f"{path.name}: speaker names are kept in a session journal (.jsonl); this is an export, "
                "so open the journal to name them"
            )
        task = asyncio.get_running_loop().create_task(self._append(path, rename))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.shield(task)

    async def _append(self, path: Path, item: Mark | SpeakerName) -> None:
        from annotator.journal.recovery import append_mark, append_speaker

        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if isinstance(item, Mark):
                await asyncio.to_thread(append_mark, path, item)
            else:
                await asyncio.to_thread(append_speaker, path, item)

    async def saved(self) -> None:
        """Wait for the marks still being appended."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
