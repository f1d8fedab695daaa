"""One session at a time, live or replayed: its journal, analyser, inputs and pipeline. No Qt.

``Sessions`` is the session backend of the window (``ui.session_controller``
drives it) and of ``annotator listen``: it owns at most one running session
and knows which module does what (``analysis``, ``session``, ``replay``,
``pipeline``, ``transcribe``, ``export``). Everything slow (loading the
model, opening devices, creating and syncing the journal, building the HTTP
client) runs in a thread, so the loop it runs on (the Qt thread under
qasync) never waits.

    sessions = Sessions(config, sink)
    await sessions.start_live(["pulse", "vsink.monitor"])   # or start_replay(path, speed)
    # the sink receives chunks, analyses, marks, errors and events as they happen
    await sessions.stop()   # flush the last utterance, finish analyses (bounded), close the journal

A saved session is shown at once rather than replayed (``open``: its chunks,
stored analyses, marks and review go to the sink in one go, nothing is
called), and what the user marks on it afterwards is appended to its journal
(``add_mark``):

    await sessions.open(path, speed)     # a journal: shown at once; a transcript or audio: replayed
    await sessions.add_mark(path, "flag", "", chunk_id=12)   # kept in that journal, then shown

After a session, its post-session review (``analysis.review``, run by ``sessions.review``):

    estimate = await sessions.estimate(path)    # show format_estimate(estimate) and ask first
    run = await sessions.review(path, on_progress)   # ReviewRun: the review and the live flags it judged
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from annotator.analysis.analyzer import Analyzer, ProviderStatus, build_analyzer
from annotator.analysis.review.flags import live_flags
from annotator.analysis.review.plan import estimate_review
from annotator.analysis.review_model import LiveFlag, Review, ReviewEstimate, ReviewProgress
from annotator.config.keys import key_status
from annotator.config.schema import Config, post_providers
from annotator.errors import AnnotatorError, AudioError, InputError, ModelError
from annotator.models import Analysis, Chunk, Mark
from annotator.pipeline import AnalysisQueueLimits, JournalSink, LiveInput, Pipeline, Sink

AnalyzerFactory = Callable[[Config], Analyzer]
SHOW_SLICE = 100
"""Records of a saved session handed to the window between two paints (``Sessions.open``)."""
SOURCES = ("You", "Them")
FILE_MAX_WAITING = 100_000
"""Chunks of a replayed audio file that may wait for analysis (live: ``limits.max_waiting``)."""


@dataclass(frozen=True)
class ReviewRun:
    """A finished post-session review of the journal at ``path`` and the live
    flags it was given (numbered as in the review; the window maps its
    verdicts to cards with them)."""

    path: Path
    review: Review
    flags: tuple[LiveFlag, ...]


class StoredSession:
    """Replaying a saved session: shows each stored analysis once all its chunks
    have appeared, and each mark with its chunk, so flags and marks arrive at
    the moment they did live. No provider is called (the ``Sink`` protocol)."""

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
        self.pipeline: Pipeline | None = None

    def on_chunk(self, chunk: Chunk) -> None:
        if chunk.id not in self.seen:
            self.seen.add(chunk.id)
            for n in self._by_chunk.pop(chunk.id, ()):
                self._missing[n] -= 1
                if self._missing[n] == 0:
                    self._ready.append(n)
            self._due.extend(self._marks_by_chunk.pop(chunk.id, ()))
        if self.pipeline is None:
            return
        if self._ready:
            ready, self._ready = sorted(self._ready), []
            self.pipeline.replay_analyses([self.analyses[n] for n in ready])
        if self._due:
            due, self._due = sorted(self._due), []
            for n in due:
                self.pipeline.out.on_mark(self.marks[n])

    def on_analysis(self, analysis: Analysis) -> None:
        return None

    def on_mark(self, mark: Mark) -> None:
        return None

    def on_error(self, error: AnnotatorError) -> None:
        return None

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        return None

    def on_level(self, source: str, level: float) -> None:
        return None


class _AfterAnalysis:
    """Calls ``then()`` after each analysis the pipeline delivers (the ``Sink`` protocol)."""

    def __init__(self, then: Callable[[], None]) -> None:
        self.then = then

    def on_analysis(self, analysis: Analysis) -> None:
        self.then()

    def on_chunk(self, chunk: Chunk) -> None:
        return None

    def on_mark(self, mark: Mark) -> None:
        return None

    def on_error(self, error: AnnotatorError) -> None:
        return None

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        return None

    def on_level(self, source: str, level: float) -> None:
        return None


class _AudioFile:
    """A ``stream_factory`` that plays one audio file and remembers its stream (to see the end)."""

    def __init__(self, path: Path, speed: float) -> None:
        from annotator.audio.file_stream import FileInputStream

        self._cls = FileInputStream
        self.path = path
        self.speed = None if speed <= 0 else speed
        self.stream: Any = None

    def __call__(self, device: Any, callback: Any) -> Any:
        self.stream = self._cls(self.path, callback, speed=self.speed)
        return self.stream

    def set_speed(self, speed: float) -> None:
        self.speed = None if speed <= 0 else speed
        if self.stream is not None:
            self.stream.speed = self.speed

    async def wait_finished(self) -> None:
        while self.stream is None or not self.stream.finished.is_set():
            await asyncio.sleep(0.1)


class Sessions:
    """Runs one session at a time for the window (implements ``ui.session_controller.SessionBackend``).

    ``sink`` receives everything (the window's bridge). ``analyzer_factory``
    builds the chain for each session from the current config (so a change in
    Settings applies to the next session). ``limits`` are the pipeline's
    batching limits; ``stop_timeout_s`` bounds how long Stop waits for the
    analyses still due (a replayed file's natural end waits for all of them).
    """

    def __init__(
        self,
        config: Config,
        sink: Sink,
        *,
        analyzer_factory: AnalyzerFactory = build_analyzer,
        limits: AnalysisQueueLimits = AnalysisQueueLimits(),
        sessions_dir: Path | None = None,
        model: str | None = None,
        stop_timeout_s: float = 30.0,
    ) -> None:
        self.config = config
        self.sink = sink
        self.analyzer_factory = analyzer_factory
        self.limits = limits
        self.sessions_dir = sessions_dir
        self.stop_timeout_s = stop_timeout_s  # Stop waits this long for the analyses still due
        self.model_name = model if model is not None else config.transcription.model
        self.whisper: Any = None  # the loaded WhisperModel
        self._model_task: asyncio.Task[Any] | None = None
        self._analyzer: Analyzer | None = None
        self._pipeline: Pipeline | None = None
        self._journal: Any = None
        self._runner: asyncio.Task[None] | None = None
        self._session_path: Path | None = None
        self._stopping: asyncio.Task[None] | None = None
        self._states: tuple[ProviderStatus, ...] = ()
        self._live: LiveInput | None = None
        self._audio: _AudioFile | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting = False  # between Record/Open and the session running: a second press does nothing
        self._started = False  # the session's inputs ran (so hearing nothing is worth saying)
        self._wrote_journal = False  # this session's journal is new (so "saved" is news when it closes)
        self._replaying_saved = False  # a saved session replays: its own journal takes the marks
        self._marking: asyncio.Lock | None = None  # marks appended to a saved journal, one at a time, in order
        self._mark_tasks: set[asyncio.Task[Any]] = set()

    # -- state -----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """A session is running or still closing (its journal not yet closed)."""
        return self._starting or self._pipeline is not None or self._stopping is not None

    @property
    def session_path(self) -> Path | None:
        return self._session_path

    def providers_state(self) -> Sequence[ProviderStatus]:
        """The chain as the status dots show it (the running analyser's, else the last known)."""
        if self._analyzer is not None:
            self._states = self._analyzer.providers_state()
        return self._states

    async def check_keys(self) -> Sequence[ProviderStatus]:
        """Which configured providers have what they need (the keyring may be slow: in a thread)."""
        self._states = await asyncio.to_thread(initial_states, self.config)
        self._push_providers()
        return self._states

    def _push_providers(self) -> None:
        """Tell the sink the chain's state ("providers" {states}): once keys are checked, as a
        session starts, and after each of its analyses. To the sink only: not journaled."""
        self.sink.on_event("providers", {"states": self.providers_state()})

    def set_config(self, config: Config) -> None:
        """New settings apply from the next session on."""
        self.config = config

    # -- the transcription model ------------------------------------------------------------
    async def load_model(self) -> Any:
        """Load the whisper model in a thread (once); events tell the window."""
        if self.whisper is not None:
            return self.whisper
        if self._model_task is None:
            self._model_task = asyncio.get_running_loop().create_task(self._load_model())
        return await asyncio.shield(self._model_task)

    async def _load_model(self) -> Any:
        from annotator.transcription.model import load_model

        self.sink.on_event("model_loading", {"model": self.model_name or "tiny.en (bundled)"})
        t = self.config.transcription
        try:
            self.whisper = await asyncio.to_thread(load_model, self.model_name, t.device, t.compute_type)
        except AnnotatorError:
            self._model_task = None
            raise
        except Exception as err:  # noqa: BLE001 - translated once, here
            self._model_task = None
            raise ModelError(f"The transcription model {self.model_name or 'tiny.en'} could not be loaded ({err}).") from err
        self.sink.on_event("model_ready", {"model": self.model_name or "tiny.en (bundled)"})
        return self.whisper

    # -- sessions -------------------------------------------------------------------------
    async def _open(
        self,
        header: dict[str, Any],
        *,
        journal: bool = True,
        analyze: bool = True,
        extra: Sequence[Sink] = (),
        inputs: Sequence[tuple[str | int | None, str]] = (),
        stream_factory: Any = None,
        per_chunk: bool = False,
    ) -> Pipeline:
        """Build one session's journal, analyser and pipeline. The slow parts
        (creating the file and syncing it, TLS set-up of the HTTP client, the
        sentiment lexicon) run in a thread so the window never waits on them.
        ``per_chunk``: one request per chunk (replays of a file, at any speed)."""
        limits = self.limits
        if per_chunk:
            limits = replace(limits, per_chunk=True)
        if per_chunk and inputs:
            # An audio file is finite, so its lines may all wait their turn: at max speed
            # it is transcribed faster than answered, and cannot be held back as a
            # transcript is (``Pipeline._room_to_wait``); none is left unanalysed.
            limits = replace(limits, max_waiting=max(limits.max_waiting, FILE_MAX_WAITING))
        pipeline = Pipeline(None, [], limits=limits, stop_timeout_s=self.stop_timeout_s)
        sinks = pipeline.out.sinks  # filled below, journal first
        if inputs:  # the inputs open before the journal exists: a dead microphone leaves no empty session
            whisper = await self.load_model()
            # built in a thread: each segmenter loads its voice-activity model (a few hundred ms)
            live = await asyncio.to_thread(
                LiveInput, pipeline, whisper, inputs, asyncio.get_running_loop(),
                transcription=self.config.transcription, audio=self.config.audio, stream_factory=stream_factory,
            )
            try:
                await asyncio.to_thread(live.open)
            except BaseException:
                await live.stop()
                raise
            self._live = live
        try:
            return await self._open_rest(pipeline, sinks, header, journal=journal, analyze=analyze, extra=extra)
        except BaseException:
            await self._stop()
            raise

    async def _open_rest(
        self, pipeline: Pipeline, sinks: list[Sink], header: dict[str, Any], *, journal: bool, analyze: bool, extra: Sequence[Sink]
    ) -> Pipeline:
        from annotator.journal.writer import Journal

        if journal:
            chain = [{"name": p.name, "model": p.model} for p in self.config.providers if p.enabled]
            self._journal = await asyncio.to_thread(
                Journal.create, self.sessions_dir, header={**header, "chain": chain}, on_error=self._journal_failed
            )
            self._session_path = self._journal.path
            self._wrote_journal = True
            sinks.append(JournalSink(self._journal))
        sinks.append(self.sink)
        sinks.extend(extra)
        self._analyzer = await asyncio.to_thread(self.analyzer_factory, self.config) if analyze else None
        if self._analyzer is not None:
            sinks.append(_AfterAnalysis(self._push_providers))
        self._push_providers()
        pipeline.analyzer = self._analyzer
        self._pipeline = pipeline
        pipeline.start()
        if self._session_path is not None:
            self.sink.on_event("session", {"path": str(self._session_path)})
        if self._live is not None:
            record_to = self._journal.audio_path if self._journal is not None and self.config.audio.save_audio else None
            await asyncio.to_thread(self._live.start, record_to)
        self._started = True
        return pipeline

    def _journal_failed(self, err: AnnotatorError) -> None:
        """From the journal's writer thread: hand the sentence to the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.sink.on_error, err)

    def _inputs(self, devices: str | Sequence[str] | None) -> list[tuple[str | int | None, str]]:
        """(device, source) pairs: the devices asked for, else the configured
        inputs, else the system default (a device given as a number is
        PortAudio's index). A microphone is "You" and the monitor of an output
        (system audio: the other side of a call) "Them", whichever is given
        first; two of a kind are "You" then "Them"."""
        from annotator.audio.devices import looks_like_monitor

        chosen: list[str | None] = [devices] if isinstance(devices, str) else list(devices or ())
        chosen = chosen or list(self.config.audio.devices) or [None]
        if len(chosen) > len(SOURCES):
            raise AudioError(
                f"{len(chosen)} input devices were given; at most two are recorded at once (you, and them)."
            )
        monitors = [looks_like_monitor(d) for d in chosen]
        if len(set(monitors)) == len(monitors):  # one input, or one of each kind
            sources = [SOURCES[1] if m else SOURCES[0] for m in monitors]
        else:
            sources = list(SOURCES[: len(chosen)])
        return [(int(d) if d is not None and d.isdigit() else d, src) for d, src in zip(chosen, sources)]

    async def start_live(self, devices: str | Sequence[str] | None = None) -> None:
        """Record from ``devices`` (see ``_inputs``): the window's picker gives one
        name or None, ``annotator listen`` its ``--device`` list."""
        if self.active:
            return
        self._loop = asyncio.get_running_loop()
        self._starting = True
        try:
            inputs = self._inputs(devices)
            opened = [{"device": "default" if d is None else d, "source": src} for d, src in inputs]
            await self._open({"mode": "live", "model": self.model_name or "tiny.en", "devices": opened}, inputs=inputs)
        finally:
            self._starting = False
        self.sink.on_event("recording", {"devices": opened})

    async def open(self, path: Path, speed: float) -> None:
        """File > Open: a saved session is shown at once, as it was recorded, with
        its stored analyses, marks and review (nothing is replayed or called);
        a transcript or an audio file has nothing stored, so it is replayed."""
        from annotator.formats.readers import kind_of

        if kind_of(path) != "session":
            await self.start_replay(path, speed)
            return
        if self.active:
            return
        self._starting = True
        try:
            await self._show_saved(path)
        finally:
            self._starting = False

    async def _show_saved(self, path: Path) -> None:
        from annotator.formats.readers import read_session

        if not path.exists():
            raise InputError(f"{path}: no such file")
        record = await asyncio.to_thread(read_session, path)
        self._session_path = path
        self.sink.on_event("session", {"path": str(path)})
        for w in record.warnings:
            self.sink.on_error(InputError(str(w)))
        # in slices, letting the window paint between them: the first lines show
        # at once and the window answers while a long session fills in
        delivered = 0
        for deliver, items in ((self.sink.on_chunk, record.chunks), (self.sink.on_analysis, record.analyses),
                               (self.sink.on_mark, record.marks)):
            for item in items:
                deliver(item)  # type: ignore[operator]
                delivered += 1
                if delivered % SHOW_SLICE == 0:
                    await asyncio.sleep(0)
        self.sink.on_event(
            "opened",
            {"path": str(path), "chunks": len(record.chunks), "analyses": len(record.analyses), "marks": len(record.marks)},
        )
        if record.review is not None:
            self.sink.on_event("review", {"run": ReviewRun(path, record.review, live_flags(record))})

    async def start_replay(self, path: Path, speed: float) -> None:
        """Replay a session, transcript or audio file through the pipeline, in
        (accelerated) real time; a saved session shows its stored analyses as
        its lines come (File > Replay, ``annotator replay``)."""
        if self.active:
            return
        self._loop = asyncio.get_running_loop()
        self._starting = True
        try:
            await self._start_replay(path, speed)
        finally:
            self._starting = False

    async def _start_replay(self, path: Path, speed: float) -> None:
        from annotator.formats.readers import kind_of, read_chunks, read_session

        kind = kind_of(path)
        stored_review: ReviewRun | None = None
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if kind == "session":
            record = await asyncio.to_thread(read_session, path)
            stored = StoredSession(record.analyses, record.marks)
            pipeline = await self._open({}, journal=False, analyze=False, extra=[stored])
            stored.pipeline = pipeline
            self._session_path = path
            self._replaying_saved = True
            self.sink.on_event("session", {"path": str(path)})
            for w in getattr(record, "warnings", ()):
                self.sink.on_error(InputError(str(w)))
            chunks: Sequence[Chunk] = record.chunks
            if record.review is not None:  # shown once the replay has put every live flag on screen
                stored_review = ReviewRun(path, record.review, live_flags(record))
        elif kind == "transcript":
            chunks = await asyncio.to_thread(read_chunks, path)
            if not chunks:
                raise InputError(f"{path}: has no lines to replay")
            pipeline = await self._open({"mode": "replay", "source": str(path)}, per_chunk=True)
        else:
            from annotator.audio.decode import check_audio_file

            await asyncio.to_thread(check_audio_file, path)  # a directory, an empty file: said before any work
            if self.whisper is None:
                await self.load_model()
            audio = _AudioFile(path, speed)
            await self._open(
                {"mode": "replay", "source": str(path), "model": self.model_name or "tiny.en"},
                inputs=[(str(path), "")],
                stream_factory=audio,
                per_chunk=True,
            )
            self._audio = audio
            self.sink.on_event("replay_started", {"path": str(path)})
            self._runner = asyncio.get_running_loop().create_task(self._replay_audio(audio))
            return
        self.sink.on_event("replay_started", {"path": str(path), "total": len(chunks)})
        self._runner = asyncio.get_running_loop().create_task(self._replay(pipeline, chunks, speed, stored_review))

    async def _replay(self, pipeline: Pipeline, chunks: Sequence[Chunk], speed: float, review: ReviewRun | None = None) -> None:
        try:
            await pipeline.replay_chunks(chunks, speed)
            # one request per line: the last lines may still wait; a file's end waits
            # for them (Stop cuts it short, bounded as for a live session)
            await pipeline.drain()
        except asyncio.CancelledError:
            return
        if review is not None:
            self.sink.on_event("review", {"run": review})
        self._runner = None
        await self.stop()

    async def _replay_audio(self, audio: _AudioFile) -> None:
        try:
            await audio.wait_finished()
            if self._pipeline is not None:
                await self._pipeline.drain()  # the lines so far (Stop cuts it short); the last utterance follows at stop
        except asyncio.CancelledError:
            return
        self._runner = None
        await self.stop()

    def pause(self) -> None:
        if self._audio is not None:
            raise InputError("An audio file replays like a microphone and cannot be paused; press Stop to end it.")
        if self._pipeline is not None:
            self._pipeline.pause()

    def resume(self) -> None:
        if self._pipeline is not None:
            self._pipeline.resume()

    def set_speed(self, speed: float) -> None:
        if self._audio is not None:
            self._audio.set_speed(speed)
        if self._pipeline is not None:
            self._pipeline.set_speed(speed)

    def mark(self, kind: str, note: str) -> None:
        """Mark the moment of the running session (its last line). Replaying a saved
        session, the mark goes to that session's journal too."""
        if self._pipeline is None:
            return
        mark = self._pipeline.add_mark(kind, note)
        if self._replaying_saved and self._session_path is not None:
            path = self._session_path
            task = asyncio.get_running_loop().create_task(self._append_mark(path, mark))
            self._mark_tasks.add(task)
            task.add_done_callback(self._mark_done)

    def _mark_done(self, task: asyncio.Task[Any]) -> None:
        self._mark_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            err = task.exception()
            self.sink.on_error(err if isinstance(err, AnnotatorError) else AnnotatorError(f"The mark was not saved ({err})."))

    async def add_mark(self, path: Path, kind: str, note: str, chunk_id: int | None = None) -> Mark:
        """A bookmark or flag on the saved session at ``path`` (on screen, not running):
        on the line ``chunk_id`` (None: the last line), appended to its journal, then
        shown (the sink's ``on_mark``): what is on screen is what is saved."""
        from annotator.formats.readers import read_session

        if path.suffix.lower() != ".jsonl":
            raise InputError(
                f"{path.name}: marks are kept in a session journal (.jsonl); this is an export, so open the journal to mark it"
            )
        record = await asyncio.to_thread(read_session, path)
        by_id = {c.id: c for c in record.chunks}
        chunk = by_id.get(chunk_id) if chunk_id is not None else (record.chunks[-1] if record.chunks else None)
        mark = Mark(at=max(chunk.end, 0.0) if chunk is not None else 0.0, kind=kind, note=note,
                    chunk_id=None if chunk is None else chunk.id)
        task = asyncio.get_running_loop().create_task(self._append_mark(path, mark))
        self._mark_tasks.add(task)  # quitting waits for it (``shutdown``)
        task.add_done_callback(self._mark_tasks.discard)
        await asyncio.shield(task)
        self.sink.on_mark(mark)
        return mark

    async def _append_mark(self, path: Path, mark: Mark) -> None:
        from annotator.journal.recovery import append_mark

        if self._marking is None:
            self._marking = asyncio.Lock()
        async with self._marking:
            await asyncio.to_thread(append_mark, path, mark)

    async def _marks_saved(self) -> None:
        """Wait for marks still being appended to a saved journal."""
        while self._mark_tasks:
            await asyncio.gather(*list(self._mark_tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Stop the session: flush, finish analyses (bounded), close the journal. Safe to call twice."""
        if self._stopping is not None:
            await asyncio.shield(self._stopping)
            return
        if self._pipeline is None:
            return
        self._stopping = asyncio.get_running_loop().create_task(self._stop())
        self._stopping.add_done_callback(self._stopped)
        await asyncio.shield(self._stopping)

    def _stopped(self, task: asyncio.Task[None]) -> None:
        self._stopping = None
        wrote, self._wrote_journal = self._wrote_journal, False
        if not task.cancelled() and task.exception() is None and self._session_path is not None and wrote:
            self.sink.on_event("session_closed", {"path": str(self._session_path)})

    async def _stop(self) -> None:
        self._replaying_saved = False
        runner, self._runner = self._runner, None
        if runner is not None and runner is not asyncio.current_task():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        live, self._live = self._live, None
        audio, self._audio = self._audio, None
        if live is not None:
            await live.stop()
        await self._close(nothing_heard(live, audio) if live is not None else None)

    async def _close(self, silence_advice: str | None = None) -> None:
        """Close the pipeline and the journal. A session in which no line was
        transcribed is not kept: its journal and audio are deleted, and, when
        its inputs ran, ``silence_advice`` says what to check."""
        pipeline, self._pipeline = self._pipeline, None
        started, self._started = self._started, False
        try:
            if pipeline is not None:
                await pipeline.stop()
        finally:
            journal, self._journal = self._journal, None
            if journal is not None:
                await journal.aclose()
                if pipeline is not None and pipeline.chunks_seen == 0:
                    from annotator.journal.store import discard_session

                    await asyncio.to_thread(discard_session, journal.path, journal.audio_path)
                    self._session_path = None  # nothing to say "saved" about, review or export
                    self._wrote_journal = False
                    if started and silence_advice:
                        self.sink.on_error(AudioError(silence_advice))
            analyzer, self._analyzer = self._analyzer, None
            if analyzer is not None:
                self._states = analyzer.providers_state()
                await analyzer.aclose()

    async def export(self, session: Path, output: Path, fmt: str) -> Path:
        from annotator.formats.readers import read_session
        from annotator.formats.writers import export, write_export

        if fmt not in ("md", "json", "srt", "vtt"):
            raise InputError(f"{output}: unknown export format {fmt!r}; pick Markdown, JSON, SRT or VTT")

        def save() -> Path:  # reading, formatting (a long Markdown takes a while) and writing: off the loop
            return write_export(output, export(read_session(session), fmt))

        return await asyncio.to_thread(save)

    # -- the post-session review ----------------------------------------------------------
    def _reviewable(self, path: Path) -> Path:
        if self.active and self._session_path is not None and Path(path) == self._session_path:
            raise InputError(f"{Path(path).name}: the session is still running; stop it, then review it")
        return Path(path)

    async def estimate(self, path: Path) -> ReviewEstimate:
        """Tokens and cost of reviewing the session at ``path`` with the first usable
        review provider; nothing is sent. Raises ``InputError`` (no transcript,
        still running) or ``ConfigError`` (no usable review provider)."""
        from annotator.formats.readers import read_session

        path = self._reviewable(path)
        config = self.config
        record = await asyncio.to_thread(read_session, path)
        return await asyncio.to_thread(estimate_review, record, config)

    async def review(self, path: Path, on_progress: Callable[[ReviewProgress], None] | None = None) -> ReviewRun:
        """Review the session at ``path`` through the ``[post]`` chain and append the
        review to its journal. Keys are looked up in a thread first (an OS keyring
        can be slow); provider trouble gives a review without result, not an error."""
        from annotator.formats.readers import read_session
        from annotator.sessions.review import review_session

        path = self._reviewable(path)
        config = self.config

        def keys() -> dict[str, str]:
            found = {p.name: key_status(p).key for p in post_providers(config)}
            return {name: key for name, key in found.items() if key}

        record = await asyncio.to_thread(read_session, path)
        table = await asyncio.to_thread(keys)
        review = await review_session(path, config, keys=table, on_progress=on_progress, record=record)
        return ReviewRun(path, review, live_flags(record))

    async def shutdown(self) -> None:
        """Quitting: stop any session, save the marks still being appended, and
        drop the model load if still running."""
        await self.stop()
        await self._marks_saved()
        if self._model_task is not None and not self._model_task.done():
            self._model_task.cancel()


def nothing_heard(live: LiveInput, audio: _AudioFile | None) -> str:
    """What to tell the user when a session ended without a line of transcript."""
    peak = max((c.peak_level for c in live.captures), default=0.0)
    level = "no sound at all" if peak <= 0 else f"a level of {peak:.0%} at most on the meter"
    if audio is not None:
        return (
            f"No speech was heard in {audio.path.name} ({level}), so no session was kept: "
            "the file is silent, or the speech in it is too quiet to transcribe."
        )
    devices = ", ".join("the default input" if c.device is None else repr(c.device) for c in live.captures)
    return (
        f"No speech was heard from {devices} ({level}), so the session was not kept. Check that the right input "
        "is chosen (`annotator devices` lists them), that it is not muted, and that the level meter moves "
        "when someone speaks."
    )


def initial_states(config: Config) -> tuple[ProviderStatus, ...]:
    """Each configured provider and why it would be left out of the chain (no key, disabled)."""
    return tuple(ProviderStatus(p.name, p.kind, p.model, unavailable=key_status(p).unavailable) for p in config.providers)
