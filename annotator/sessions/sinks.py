"""Where a session's output goes: the ``Sink`` protocol, the fan-out to several sinks, the journal's and the library's sinks. No Qt.

Every sink method is called on the event loop's thread (under qasync that is
the Qt thread), in the order the events happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from annotator.errors import AnnotatorError
from annotator.journal.writer import Journal
from annotator.library.feed import IndexFeed
from annotator.library.lines import add_chunk, add_line
from annotator.library.summary import IndexedLine
from annotator.models import Analysis, Chunk, Mark, SpeakerName
from annotator.sessions.events import (
    AnalysisHeld,
    AnalysisReleased,
    Event,
    ModelLoading,
    ModelReady,
    PartialText,
    ReplayProgress,
    SpeakerNamed,
)

log = logging.getLogger(__name__)


class Sink(Protocol):
    """Receives what a session produces, on the event loop's thread."""

    def on_chunk(self, chunk: Chunk) -> None: ...

    def on_analysis(self, analysis: Analysis) -> None: ...

    def on_mark(self, mark: Mark) -> None: ...

    def on_error(self, error: AnnotatorError) -> None: ...

    def on_event(self, event: Event) -> None: ...

    def on_level(self, source: str, level: float) -> None: ...


class IgnoringSink:
    """A sink that ignores everything: a sink that wants only some of a session's output
    subclasses it and overrides those methods."""

    def on_chunk(self, chunk: Chunk) -> None:
        return None

    def on_analysis(self, analysis: Analysis) -> None:
        return None

    def on_mark(self, mark: Mark) -> None:
        return None

    def on_error(self, error: AnnotatorError) -> None:
        return None

    def on_event(self, event: Event) -> None:
        return None

    def on_level(self, source: str, level: float) -> None:
        return None


class Fanout:
    """Calls every sink in turn; a sink that raises is logged, never fatal:
    one broken sink must not stop the journal from recording."""

    def __init__(self, sinks: Iterable[Sink]) -> None:
        self.sinks: tuple[Sink, ...] = tuple(sinks)

    def _each(self, method: str, *args: Any) -> None:
        for sink in self.sinks:
            try:
                getattr(sink, method)(*args)
            except Exception:
                log.exception("sink %r failed in %s", sink, method)

    def on_chunk(self, chunk: Chunk) -> None:
        self._each("on_chunk", chunk)

    def on_analysis(self, analysis: Analysis) -> None:
        self._each("on_analysis", analysis)

    def on_mark(self, mark: Mark) -> None:
        self._each("on_mark", mark)

    def on_error(self, error: AnnotatorError) -> None:
        self._each("on_error", error)

    def on_event(self, event: Event) -> None:
        self._each("on_event", event)

    def on_level(self, source: str, level: float) -> None:
        self._each("on_level", source, level)


class JournalSink(IgnoringSink):
    """Writes what a session produces to its journal (``journal.writer.Journal``).

    Level readings, replay progress, partial text and rate-limit holds are not journaled:
    they are display only (what a hold left unanalysed is, as "unanalysed")."""

    NOT_JOURNALED: tuple[type[Event], ...] = (
        ReplayProgress,
        ModelLoading,
        ModelReady,
        AnalysisHeld,
        AnalysisReleased,
        PartialText,
    )

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def on_chunk(self, chunk: Chunk) -> None:
        self.journal.write_chunk(chunk)

    def on_analysis(self, analysis: Analysis) -> None:
        self.journal.write_analysis(analysis)

    def on_mark(self, mark: Mark) -> None:
        self.journal.write_mark(mark)

    def on_error(self, error: AnnotatorError) -> None:
        self.journal.write_error(str(error))

    def on_event(self, event: Event) -> None:
        if isinstance(event, SpeakerNamed):
            self.journal.write_speaker(SpeakerName(event.id, event.name))
        elif not isinstance(event, self.NOT_JOURNALED):
            self.journal.write_event(event.kind, event.to_dict())


class LibrarySink(IgnoringSink):
    """Makes what a session writes searchable in the library as it happens: each line, flag and
    note is handed to the index's own thread (``library.feed.IndexFeed``), so the loop never waits
    on SQLite. The journal stays the record: when the session closes, the index re-reads it."""

    def __init__(self, feed: IndexFeed, journal: Path, created: str = "") -> None:
        self.feed = feed
        self.journal = journal
        self.created = created
        self._starts: dict[int, float] = {}

    def on_chunk(self, chunk: Chunk) -> None:
        self._starts[chunk.id] = chunk.start
        journal, created = self.journal, self.created
        self.feed.put(lambda index: add_chunk(index, journal, chunk, created))

    def on_analysis(self, analysis: Analysis) -> None:
        if analysis.insight is None or not analysis.insight.contradictions:
            return
        last = analysis.chunk_ids[-1] if analysis.chunk_ids else None
        at = self._starts.get(last, 0.0) if last is not None else 0.0
        for c in analysis.insight.contradictions:
            self._line(IndexedLine("flag", at, f"{c.statement} — {c.earlier}: {c.explanation}", "", last))

    def on_mark(self, mark: Mark) -> None:
        if mark.note.strip():
            self._line(IndexedLine("note", mark.at, mark.note, mark.kind, mark.chunk_id))

    def _line(self, line: IndexedLine) -> None:
        journal = self.journal
        self.feed.put(lambda index: add_line(index, journal, line))


class AfterAnalysis(IgnoringSink):
    """Calls ``then()`` after each analysis the pipeline delivers (the service pushes the
    providers' state with it)."""

    def __init__(self, then: Callable[[], None]) -> None:
        self.then = then

    def on_analysis(self, analysis: Analysis) -> None:
        self.then()
