"""The analysis side of a session: chunks in, to every sink, batched to the analyser, analyses out. No Qt.

::

    live capture / audio file --> sessions.live.LiveInput (segmenter, transcription worker) --> Chunk
    transcript / session replay ------------------------------------------------------> Chunk
    Chunk --> sinks (journal, terminal, window)
          --> analysis queue (merged up to the prompt budget, bounded; held while rate-limited)
          --> Analyzer (differential prompt, failover chain) --> Analysis --> sinks

Every sink method is called on the event loop's thread (under qasync that is
the Qt thread), in the order the events happened. Worker threads hand their
results over with ``loop.call_soon_threadsafe``; nothing here blocks the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from annotator.analysis.chain import Wait, rate_limited
from annotator.analysis.coverage import Coverage
from annotator.errors import AnnotatorError
from annotator.models import Analysis, Attempt, Chunk, Insight, Mark
from annotator.sessions.events import (
    AnalysisHeld,
    AnalysisReleased,
    Backlog,
    Event,
    Paused,
    ReplayProgress,
    Resumed,
    SpeakerNamed,
    Stopped,
    Unanalysed,
)
from annotator.sessions.sinks import Fanout, Sink
from annotator.sessions.stored import StoredSession

log = logging.getLogger(__name__)

MAX_SPEED = 0.0
"""``speed`` value meaning as fast as possible."""
FILE_MAX_WAITING = 100_000
"""Chunks of a replayed audio file that may wait for analysis (live: ``max_waiting``)."""


class AnalyzerLike(Protocol):
    """What the pipeline needs of ``analysis.Analyzer``. An analyser that also
    has ``waiting()`` (seconds until the first provider is back when every one
    is rate-limited, else None) and takes ``wait=``/``on_wait=`` in
    ``analyze`` lets the pipeline hold chunks instead of leaving them unanalysed."""

    async def analyze(self, chunks: Sequence[Chunk], previous: Insight | None) -> Analysis: ...


@dataclass(frozen=True)
class AnalysisQueueLimits:
    """How chunks waiting for analysis are batched.

    ``batch_chars``: at most this much transcript text goes into one request
    (the prompt's own budget splits a single longer chunk). ``max_waiting``:
    when more chunks than this wait, the oldest are left unanalysed (they stay
    in the transcript and the journal) and a backlog event says how many.
    ``per_chunk``: never merge; one request per chunk, in order. Replays of a
    file use it, so what is found does not depend on the replay speed (at
    ``max`` every line arrives before the first answer and would be merged
    into one request) and matches ``annotator analyze`` on the same file;
    like ``analyze``, such a request waits out a rate-limit window
    (``Chain.analyze_waiting``) rather than take the local estimate.

    Otherwise (a live session) a request is not sent while every provider is
    waiting out a ``Retry-After``: the chunks that arrive meanwhile are held
    ("analysis_held" {chunks, seconds}) and go, merged as always, with the
    next request once a provider is back ("analysis_released" {chunks}); a
    request that came back unanswered only because every provider was
    rate-limited is held the same way (its attempts are kept and recorded with
    the answer). ``max_waiting`` bounds what is held. At stop, chunks no
    provider answered are reported once: "unanalysed" {chunks, total, from,
    to, sentence} (``analysis.coverage``).
    """

    batch_chars: int = 1600
    max_waiting: int = 40
    per_chunk: bool = False

    def for_file(self, *, audio: bool) -> AnalysisQueueLimits:
        """The limits for replaying a file: one request per chunk, at any speed. An
        audio file is finite, so its lines may all wait their turn: at max speed it is
        transcribed faster than answered, and cannot be held back as a transcript is
        (``Pipeline._room_to_wait``); none is left unanalysed."""
        if audio:
            return replace(self, per_chunk=True, max_waiting=max(self.max_waiting, FILE_MAX_WAITING))
        return replace(self, per_chunk=True)


class Pipeline:
    """One session: takes chunks from any source, fans them out to the sinks,
    and keeps one analysis request in flight at a time.

    Usage::

        pipeline = Pipeline(analyzer, [journal_sink, window_bridge])
        pipeline.start()
        await pipeline.replay_chunks(chunks, speed=2.0)   # or feed chunks from a worker
        await pipeline.stop()
    """

    def __init__(
        self,
        analyzer: AnalyzerLike | None,
        sinks: Iterable[Sink],
        *,
        limits: AnalysisQueueLimits | None = None,
        stop_timeout_s: float = 30.0,
        previous: Insight | None = None,
        stored: StoredSession | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.out = Fanout(sinks)
        self.stored = stored  # a saved session replayed: its analyses and marks show with their lines
        self.limits = limits if limits is not None else AnalysisQueueLimits()
        self.stop_timeout_s = stop_timeout_s
        self.previous = previous
        self._waiting: list[Chunk] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._drained: asyncio.Event | None = None
        self._room = asyncio.Event()
        self._in_flight = False
        self._closing = False
        self._unpaused = asyncio.Event()
        self._unpaused.set()
        self._speed = 1.0
        self.chunks_seen = 0
        self.analyses_done = 0
        self.dropped_from_analysis = 0
        self.unanalysed: list[Chunk] = []  # no provider answered for them (local estimate, or left out)
        self._to_analyse = 0  # chunks with text queued for analysis so far
        self._held_attempts: tuple[Attempt, ...] = ()
        self._file_held = False
        self._current: list[Chunk] = []  # the batch in flight
        self.last_chunk: Chunk | None = None
        self.speaker_names: dict[str, str] = {}  # id -> name given in this session ("" taken back)
        self._t0 = time.monotonic()

    # --- lifecycle -------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._t0 = time.monotonic()
            self._task = asyncio.get_running_loop().create_task(self._analysis_loop(), name="analysis")

    @property
    def elapsed(self) -> float:
        """Seconds since the session started (for marks)."""
        return time.monotonic() - self._t0

    @property
    def idle(self) -> bool:
        """No chunk waiting and no analysis in flight."""
        return not self._waiting and not self._in_flight

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every chunk received so far has been analysed (or left
        out under backlog). Returns False if ``timeout`` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.idle:
            if self._task is None or self._task.done():
                return False
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            self._drained = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._drained.wait(), left)
        return True

    async def stop(self) -> None:
        """Finish the analyses in flight and waiting (bounded by
        ``stop_timeout_s``), then stop the analysis task."""
        self._unpaused.set()
        finished = await self.drain(self.stop_timeout_s)
        if not finished:
            left = len(self._waiting) + (1 if self._in_flight else 0)
            self.out.on_error(
                AnnotatorError(
                    f"Stopped before {left} pending analysis request(s) finished; the transcript is complete and saved."
                )
            )
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._report_unanalysed()
        self.out.on_event(Stopped(self.chunks_seen, self.analyses_done))

    def _report_unanalysed(self) -> None:
        left = self.unanalysed + self._current + self._waiting  # what a stop cut short counts too
        self._waiting, self._current = [], []
        if not left:
            return
        c = Coverage(self._to_analyse, tuple(left))
        self.out.on_event(Unanalysed(c.count, c.total, round(c.first or 0.0, 3), round(c.last or 0.0, 3), c.sentence()))

    # --- input -----------------------------------------------------------
    def add_chunk(self, chunk: Chunk) -> None:
        """A new transcript line: to every sink at once, and queued for analysis."""
        if chunk.speaker in self.speaker_names:
            chunk = chunk.named(self.speaker_names)
        self.chunks_seen += 1
        self.last_chunk = chunk
        self.out.on_chunk(chunk)
        if self.stored is not None:
            analyses, marks = self.stored.due(chunk)
            self.replay_analyses(analyses)
            for mark in marks:
                self.out.on_mark(mark)
        if self.analyzer is None or not chunk.text.strip():
            return
        remember = getattr(self.analyzer, "remember", None)
        if remember is not None:  # the session memory holds every line, analysed or not (analysis.memory)
            remember([chunk])
        self._waiting.append(chunk)
        self._to_analyse += 1
        self._drop_excess()
        self._wake.set()

    def name_speaker(self, speaker: str, name: str) -> None:
        """Name speaker ``speaker`` (``S1``) ``name`` ("" takes the name back): every sink is told
        (the journal writes a ``speaker`` record), and the lines still to be analysed carry it."""
        self.speaker_names[speaker] = name
        self._waiting = [c.named(self.speaker_names) if c.speaker == speaker else c for c in self._waiting]
        if self.last_chunk is not None and self.last_chunk.speaker == speaker:
            self.last_chunk = self.last_chunk.named(self.speaker_names)
        self.out.on_event(SpeakerNamed(speaker, name))

    def moment(self) -> Mark:
        """This moment as a bare bookmark, not made yet: on the last line (its end), else at the
        session clock. Ctrl+M takes it when pressed; ``add_mark(moment=...)`` makes it later,
        with the note typed meanwhile, where it was asked for (not where the talk has got to)."""
        last = self.last_chunk
        return Mark(
            at=self.elapsed if last is None else max(last.end, 0.0),
            chunk_id=None if last is None else last.id,
        )

    def add_mark(self, kind: str = "bookmark", note: str = "", moment: Mark | None = None) -> Mark:
        """Mark ``moment`` (None: this one) as ``kind`` with ``note``: every sink is told."""
        mark = replace(moment or self.moment(), kind=kind, note=note)
        self.out.on_mark(mark)
        return mark

    def report(self, error: AnnotatorError) -> None:
        self.out.on_error(error)

    def event(self, event: Event) -> None:
        self.out.on_event(event)

    # --- replay of chunks (transcripts, sessions) ----------------------------
    def pause(self) -> None:
        self._unpaused.clear()
        self.out.on_event(Paused())

    def resume(self) -> None:
        self._unpaused.set()
        self.out.on_event(Resumed())

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def set_speed(self, speed: float) -> None:
        """1.0 real time, 2.0 twice as fast, ``MAX_SPEED`` (0) as fast as possible."""
        self._speed = speed

    async def replay_chunks(self, chunks: Sequence[Chunk], speed: float | None = None) -> None:
        """Feed chunks as if they were being said: each appears at its end
        time divided by the speed (pause and speed changes apply at once)."""
        if speed is not None:
            self._speed = speed
        total = len(chunks)
        clock = 0.0  # position in the recording, seconds
        for i, chunk in enumerate(chunks):
            target = max(chunk.end, clock)
            while clock < target:
                await self._unpaused.wait()
                if self._speed <= MAX_SPEED:
                    clock = target
                    break
                step = min(0.05 * self._speed, target - clock)
                await asyncio.sleep(step / self._speed)
                if self._unpaused.is_set():
                    clock += step
            await self._unpaused.wait()
            if self._speed <= MAX_SPEED:
                await asyncio.sleep(0)  # let the window paint between chunks
            await self._room_to_wait()
            self.add_chunk(chunk)
            self.out.on_event(ReplayProgress(i + 1, total))

    async def _room_to_wait(self) -> None:
        """Backpressure for sources that can wait (files): rather than leave
        chunks unanalysed, hold the next one while the queue is full."""
        while self.analyzer is not None and len(self._waiting) >= self.limits.max_waiting and not self._closing:
            self._room.clear()
            await self._room.wait()

    def replay_analyses(self, analyses: Iterable[Analysis]) -> None:
        """Show analyses stored in a session journal (no provider is called)."""
        for analysis in analyses:
            if analysis.insight is not None and not analysis.local:
                self.previous = analysis.insight
            self.analyses_done += 1
            self.out.on_analysis(analysis)

    # --- analysis --------------------------------------------------------
    def _take_batch(self) -> list[Chunk]:
        batch: list[Chunk] = []
        size = 0
        while self._waiting:
            chunk = self._waiting[0]
            if batch and size + len(chunk.text) > self.limits.batch_chars:
                break
            batch.append(self._waiting.pop(0))
            size += len(chunk.text)
            if self.limits.per_chunk:
                break
        return batch

    async def _analysis_loop(self) -> None:
        while True:
            if not self._waiting:
                self._notify_drained()
                self._wake.clear()
                await self._wake.wait()
                continue
            if not self.limits.per_chunk:
                await self._hold_while_rate_limited()
                if not self._waiting:
                    continue
            batch = self._take_batch()
            self._room.set()
            self._in_flight = True
            self._current = batch
            try:
                analysis = await self._analyze(batch)
            except asyncio.CancelledError:
                raise
            except AnnotatorError as err:
                self.out.on_error(err)
                continue
            except Exception as err:  # the session must go on: logged and said
                log.exception("analysis failed")
                self.out.on_error(AnnotatorError(f"Analysis failed unexpectedly ({type(err).__name__}: {err})."))
                continue
            finally:
                self._in_flight = False
                self._current = []
            if self._held_attempts:
                analysis = replace(analysis, attempts=self._held_attempts + analysis.attempts)
                self._held_attempts = ()
            if analysis.local and not self.limits.per_chunk and self._only_rate_limited(analysis):
                # every provider is waiting out a Retry-After: hold the request for when one is back
                self._held_attempts = analysis.attempts
                self._waiting[:0] = batch
                self._drop_excess()
                continue
            if analysis.insight is not None and not analysis.local:
                self.previous = analysis.insight  # the next request builds on the last good insight
            else:
                self.unanalysed.extend(batch)
            self.analyses_done += 1
            self.out.on_analysis(analysis)

    def _waiting_s(self) -> float | None:
        waiting = getattr(self.analyzer, "waiting", None)
        return None if waiting is None else waiting()

    def _only_rate_limited(self, analysis: Analysis) -> bool:
        failed = [a for a in analysis.attempts if not a.ok]
        return bool(failed) and all(rate_limited(a) for a in failed) and self._waiting_s() is not None

    def _drop_excess(self) -> None:
        excess = len(self._waiting) - self.limits.max_waiting
        if excess > 0:
            self.unanalysed.extend(self._waiting[:excess])
            del self._waiting[:excess]
            self.dropped_from_analysis += excess
            self.out.on_event(Backlog(excess, self.dropped_from_analysis, len(self._waiting)))

    async def _analyze(self, batch: list[Chunk]) -> Analysis:
        assert self.analyzer is not None  # nothing is queued without one
        if self.limits.per_chunk and hasattr(self.analyzer, "waiting"):
            # a file can wait: the request waits out a rate-limit window (as `annotator analyze` does)
            analyzer: Any = self.analyzer
            self._file_held = False
            try:
                analysis: Analysis = await analyzer.analyze(batch, self.previous, wait=True, on_wait=self._file_waits)
            finally:
                if self._file_held:
                    self.out.on_event(AnalysisReleased(len(self._waiting) + 1))
            return analysis
        return await self.analyzer.analyze(batch, self.previous)

    def _file_waits(self, wait: Wait) -> None:
        self._file_held = True
        self.out.on_event(AnalysisHeld(len(self._waiting) + 1, round(wait.seconds, 1), wait.provider))

    async def _hold_while_rate_limited(self) -> None:
        """A live session: while every provider waits out a Retry-After, hold
        the chunks (they go with the next request once one is back)."""
        seconds = self._waiting_s()
        if seconds is None:
            return
        self.out.on_event(AnalysisHeld(len(self._waiting), round(seconds, 1)))
        try:
            while seconds is not None and not self._closing:
                await asyncio.sleep(max(0.05, seconds))
                seconds = self._waiting_s()
        finally:  # also when the session is stopped meanwhile: the window's "held" note ends
            self.out.on_event(AnalysisReleased(len(self._waiting)))

    def _notify_drained(self) -> None:
        if self._drained is not None:
            self._drained.set()
