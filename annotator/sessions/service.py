"""The session service: one session at a time, live or replayed, with its journal, analyser, inputs and pipeline. No Qt.

``Sessions`` is the session backend of the window (``ui.session_controller``
drives it) and of ``annotator listen``: it owns at most one running session
and knows which module does what (``sessions.live``, ``sessions.stored``,
``sessions.pipeline``, ``journal``, ``analysis``, ``export``). Everything
slow (loading the model, opening devices, creating and syncing the journal,
building the HTTP client) runs in a thread, so the loop it runs on (the Qt
thread under qasync) never waits.

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
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.analysis.analyzer import Analyzer, ProviderStatus, build_analyzer
from annotator.analysis.review_model import ReviewEstimate, ReviewProgress
from annotator.config.keys import key_status
from annotator.config.schema import Config
from annotator.errors import AnnotatorError, AudioError, InputError, ModelError
from annotator.journal.writer import Journal
from annotator.library import listing
from annotator.library.feed import IndexFeed
from annotator.library.refresh import index_journal
from annotator.models import Chunk, Mark, SpeakerName
from annotator.sessions.events import (
    Providers,
    Recording,
    ReplayStarted,
    ReviewShown,
    SessionClosed,
    SessionStarted,
    SpeakerNamed,
)
from annotator.sessions.live import Inputs, LiveInput, input_pairs, nothing_heard, open_live
from annotator.sessions.model import ModelLoader
from annotator.sessions.pipeline import AnalysisQueueLimits, Pipeline
from annotator.sessions.retranscribe import SecondPass
from annotator.sessions.review import ReviewRun, estimate_saved, review_saved
from annotator.sessions.sinks import AfterAnalysis, JournalSink, LibrarySink, Sink
from annotator.sessions.stored import AudioFile, SavedMarks, StoredSession, export_saved, read_saved, show_saved

if TYPE_CHECKING:
    from annotator.speakers.stage import SpeakerModel

AnalyzerFactory = Callable[[Config], Analyzer]


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
        limits: AnalysisQueueLimits | None = None,
        sessions_dir: Path | None = None,
        model: str | None = None,
        stop_timeout_s: float = 30.0,
        library: IndexFeed | None = None,
        vocabulary: tuple[str, ...] = (),
        speaker_model: SpeakerModel | None = None,
    ) -> None:
        from annotator.speakers.stage import SpeakerModel

        self.config = config
        self.library = library
        self.sink = sink
        self.analyzer_factory = analyzer_factory
        self.limits = limits if limits is not None else AnalysisQueueLimits()
        self.sessions_dir = sessions_dir
        self.stop_timeout_s = stop_timeout_s  # Stop waits this long for the analyses still due
        self.model = ModelLoader(model if model is not None else config.transcription.model, config.transcription, sink)
        # the speaker model: loaded at the first session that separates speakers, then shared by every
        # session (the composition root passes the process's; else this service's own)
        self.speaker_model = speaker_model if speaker_model is not None else SpeakerModel()
        self.marks = SavedMarks(sink.on_error)
        self.vocabulary = vocabulary  # this session's terms, added to [transcription] vocabulary
        self._analyzer: Analyzer | None = None
        self._pipeline: Pipeline | None = None
        self._journal: Journal | None = None
        self._runner: asyncio.Task[None] | None = None
        self._session_path: Path | None = None
        self._stopping: asyncio.Task[None] | None = None
        self._closed: asyncio.Event | None = None  # set while a session closes; set() once its journal is shut
        self._late_marks: set[asyncio.Task[None]] = set()
        self._states: tuple[ProviderStatus, ...] = ()
        self._live: LiveInput | None = None
        self._audio: AudioFile | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting = False  # between Record/Open and the session running: a second press does nothing
        self._started = False  # the session's inputs ran (so hearing nothing is worth saying)
        self._wrote_journal = False  # this session's journal is new (so "saved" is news when it closes)
        self._replaying_saved = False  # a saved session replays: its own journal takes the marks

    # -- state -----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """A session is running or still closing (its journal not yet closed)."""
        return self._starting or self._pipeline is not None or self._stopping is not None

    @property
    def closing(self) -> bool:
        """A session is closing: its last analyses finishing, its journal being shut."""
        return self._closed is not None

    @property
    def session_path(self) -> Path | None:
        return self._session_path

    @property
    def live(self) -> LiveInput | None:
        """The running session's audio inputs (None: no live session, or a transcript replayed)."""
        return self._live

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
        self.sink.on_event(Providers(self.providers_state()))

    def set_config(self, config: Config) -> None:
        """New settings apply from the next session on (another model is loaded for it)."""
        self.config = config
        if config.transcription.model != self.model.name:
            self.model = ModelLoader(config.transcription.model, config.transcription, self.sink)
        self.model.transcription = config.transcription

    def set_vocabulary(self, terms: Sequence[str]) -> None:
        """The words to listen for in the next session (the window's field), besides the config's."""
        self.vocabulary = tuple(terms)

    def session_vocabulary(self) -> tuple[str, ...]:
        """The terms the next session listens for: the config's, then this session's."""
        from annotator.transcription.vocabulary import merge_vocabulary

        return merge_vocabulary(self.config.transcription.vocabulary, self.vocabulary)

    def _session_config(self) -> Config:
        return replace(
            self.config, transcription=replace(self.config.transcription, vocabulary=self.session_vocabulary())
        )

    def _with_vocabulary(self, header: dict[str, Any]) -> dict[str, Any]:
        terms = self.session_vocabulary()
        return {**header, "vocabulary": list(terms)} if terms else header

    # -- sessions -------------------------------------------------------------------------
    async def _open(
        self,
        header: dict[str, Any],
        *,
        journal: bool = True,
        analyze: bool = True,
        stored: StoredSession | None = None,
        inputs: Inputs = (),
        stream_factory: AudioFile | None = None,
        per_chunk: bool = False,
    ) -> Pipeline:
        """Build one session: its inputs (opened first: a dead microphone leaves no
        empty session), journal, analyser, and the pipeline with all of them. The
        slow parts (opening devices, creating the file and syncing it, TLS set-up
        of the HTTP client, the sentiment lexicon) run in a thread so the window
        never waits on them. ``per_chunk``: one request per chunk (replays of a
        file, at any speed)."""
        limits = self.limits.for_file(audio=bool(inputs)) if per_chunk else self.limits
        if inputs:
            from annotator.transcription.model import check_language

            whisper = await self.model.load()
            check_language(whisper, self.config.transcription.language, self.model.label)
            self._live = await open_live(
                whisper,
                inputs,
                self._session_config(),
                stream_factory=stream_factory,
                speaker_model=self.speaker_model.get,
            )
        try:
            return await self._build(header, journal=journal, analyze=analyze, stored=stored, limits=limits)
        except BaseException:
            await self._stop()
            raise

    async def _build(
        self,
        header: dict[str, Any],
        *,
        journal: bool,
        analyze: bool,
        stored: StoredSession | None,
        limits: AnalysisQueueLimits,
    ) -> Pipeline:
        sinks: list[Sink] = []
        if journal:
            chain = [{"name": p.name, "model": p.model} for p in self.config.providers if p.enabled]
            self._journal = await asyncio.to_thread(
                Journal.create, self.sessions_dir, header={**header, "chain": chain}, on_error=self._journal_failed
            )
            self._session_path = self._journal.path
            self._wrote_journal = True
            sinks.append(JournalSink(self._journal))
            if self.library is not None:
                created = datetime.now().astimezone().isoformat(timespec="seconds")  # as the header has it
                sinks.append(LibrarySink(self.library, self._journal.path, created))
        sinks.append(self.sink)
        self._analyzer = await asyncio.to_thread(self.analyzer_factory, self.config) if analyze else None
        if self._analyzer is not None:
            sinks.append(AfterAnalysis(self._push_providers))
        self._push_providers()
        pipeline = Pipeline(self._analyzer, sinks, limits=limits, stop_timeout_s=self.stop_timeout_s, stored=stored)
        self._pipeline = pipeline
        pipeline.start()
        if self._session_path is not None:
            self.sink.on_event(SessionStarted(str(self._session_path)))
        if self._live is not None:
            record_to = self._journal.audio_path if self._journal is not None and self.config.audio.save_audio else None
            await asyncio.to_thread(self._live.start, pipeline, record_to)
        self._started = True
        return pipeline

    def _journal_failed(self, err: AnnotatorError) -> None:
        """From the journal's writer thread: hand the sentence to the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.sink.on_error, err)

    async def start_live(self, devices: str | Sequence[str] | None = None) -> None:
        """Record from ``devices`` (see ``sessions.live.input_pairs``): the window's picker
        gives one name or None, ``annotator listen`` its ``--device`` list."""
        if self.active:
            return
        self._loop = asyncio.get_running_loop()
        self._starting = True
        try:
            inputs = input_pairs(devices, self.config.audio.devices)
            opened = [{"device": "default" if d is None else d, "source": src} for d, src in inputs]
            header = self._with_vocabulary({"mode": "live", "model": self.model.label, "devices": opened})
            await self._open(header, inputs=inputs)
        finally:
            self._starting = False
        self.sink.on_event(Recording(tuple(opened)))

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
            record = await read_saved(path)
            self._session_path = path
            await show_saved(path, record, self.sink)
        finally:
            self._starting = False

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
        from annotator.formats.readers import kind_of, read_chunks

        kind = kind_of(path)
        stored_review: ReviewRun | None = None
        if not await asyncio.to_thread(path.exists):
            raise InputError(f"{path}: no such file")
        if kind == "session":
            record = await read_saved(path)
            stored = StoredSession(record.analyses, record.marks)
            pipeline = await self._open({}, journal=False, analyze=False, stored=stored)
            self._session_path = path
            self._replaying_saved = True
            self.sink.on_event(SessionStarted(str(path)))
            for w in record.warnings:
                self.sink.on_error(InputError(str(w)))
            chunks: Sequence[Chunk] = record.chunks
            if record.review is not None:  # shown once the replay has put every live flag on screen
                stored_review = ReviewRun.of(path, record, record.review)
        elif kind == "transcript":
            chunks = await asyncio.to_thread(read_chunks, path)
            if not chunks:
                raise InputError(f"{path}: has no lines to replay")
            pipeline = await self._open({"mode": "replay", "source": str(path)}, per_chunk=True)
        else:
            from annotator.audio.decode import check_audio_file

            await asyncio.to_thread(check_audio_file, path)  # a directory, an empty file: said before any work
            await self.model.load()
            audio = AudioFile(path, speed)
            await self._open(
                self._with_vocabulary({"mode": "replay", "source": str(path), "model": self.model.label}),
                inputs=[(str(path), "")],
                stream_factory=audio,
                per_chunk=True,
            )
            self._audio = audio
            self.sink.on_event(ReplayStarted(str(path)))
            self._runner = asyncio.get_running_loop().create_task(self._replay_audio(audio))
            return
        self.sink.on_event(ReplayStarted(str(path), len(chunks)))
        self._runner = asyncio.get_running_loop().create_task(self._replay(pipeline, chunks, speed, stored_review))

    async def _replay(
        self, pipeline: Pipeline, chunks: Sequence[Chunk], speed: float, review: ReviewRun | None = None
    ) -> None:
        try:
            await pipeline.replay_chunks(chunks, speed)
            # one request per line: the last lines may still wait; a file's end waits
            # for them (Stop cuts it short, bounded as for a live session)
            await pipeline.drain()
        except asyncio.CancelledError:
            return
        if review is not None:
            self.sink.on_event(ReviewShown(review))
        self._runner = None
        await self.stop()

    async def _replay_audio(self, audio: AudioFile) -> None:
        try:
            await audio.wait_finished()
            if self._pipeline is not None:
                await (
                    self._pipeline.drain()
                )  # the lines so far (Stop cuts it short); the last utterance follows at stop
        except asyncio.CancelledError:
            return
        self._runner = None
        await self.stop()

    def pause(self) -> None:
        if self._audio is not None:  # an audio file: its playback holds (the line being said finishes)
            self._audio.pause()
            return
        if self._pipeline is not None:
            self._pipeline.pause()

    def resume(self) -> None:
        if self._audio is not None:
            self._audio.resume()
            return
        if self._pipeline is not None:
            self._pipeline.resume()

    def set_speed(self, speed: float) -> None:
        if self._audio is not None:
            self._audio.set_speed(speed)
        if self._pipeline is not None:
            self._pipeline.set_speed(speed)

    def moment(self) -> Mark | None:
        """The running session's moment now (its last line), to mark later; None when none runs."""
        return None if self._pipeline is None else self._pipeline.moment()

    def mark(self, kind: str, note: str, moment: Mark | None = None) -> None:
        """Mark ``moment`` of the running session (None: now, its last line). Replaying a
        saved session, the mark goes to that session's journal too."""
        if self._pipeline is None:
            if self._closed is not None and self._session_path is not None:
                # the session is closing (its last analyses finishing): the mark goes to its journal once shut
                task = asyncio.get_running_loop().create_task(
                    self._mark_when_closed(self._closed, self._session_path, kind, note, moment)
                )
                self._late_marks.add(task)
                task.add_done_callback(self._late_marks.discard)
            return
        mark = self._pipeline.add_mark(kind, note, moment)
        if self._replaying_saved and self._session_path is not None:
            self.marks.append(self._session_path, mark)

    async def _mark_when_closed(
        self, closed: asyncio.Event, path: Path, kind: str, note: str, moment: Mark | None
    ) -> None:
        await closed.wait()
        if self._session_path != path:  # nothing was heard: the session was not kept
            return
        try:
            await self.add_mark(path, kind, note, None if moment is None else moment.chunk_id)
        except AnnotatorError as err:
            self.sink.on_error(err)

    async def add_mark(self, path: Path, kind: str, note: str, chunk_id: int | None = None) -> Mark:
        """A bookmark or flag on the saved session at ``path`` (on screen, not running):
        on the line ``chunk_id`` (None: the last line), appended to its journal, then
        shown (the sink's ``on_mark``): what is on screen is what is saved."""
        mark = await self.marks.add(path, kind, note, chunk_id)
        self.sink.on_mark(mark)
        return mark

    async def name_speaker(self, speaker: str, name: str, path: Path | None = None) -> None:
        """Name speaker ``speaker`` (``S1``) ``name`` ("" takes the name back). In a running session
        the pipeline journals it and labels the lines from then on (replaying a saved session, its
        journal gets it too); else it is appended to the saved session at ``path``, then shown."""
        name = " ".join(name.split())
        if self._pipeline is not None:
            self._pipeline.name_speaker(speaker, name)
            if self._replaying_saved and self._session_path is not None:
                await self.marks.name(self._session_path, SpeakerName(speaker, name))
            return
        if path is None:
            raise InputError("Open a session first: speaker names belong to a session.")
        await self.marks.name(path, SpeakerName(speaker, name))
        self.sink.on_event(SpeakerNamed(speaker, name))

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
            self.sink.on_event(SessionClosed(str(self._session_path)))

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
        closed = self._closed = asyncio.Event()
        pipeline, self._pipeline = self._pipeline, None
        started, self._started = self._started, False
        try:
            if pipeline is not None:
                await pipeline.stop()
        finally:
            try:
                journal, self._journal = self._journal, None
                if journal is not None:
                    await journal.aclose()
                    if pipeline is not None and pipeline.chunks_seen == 0:
                        from annotator.journal.store import discard_session

                        await asyncio.to_thread(discard_session, journal.path, journal.audio_path)
                        self._session_path = None  # nothing to say "saved" about, review or export
                        self._index(journal.path, remove=True)
                        self._wrote_journal = False
                        if started and silence_advice:
                            self.sink.on_error(AudioError(silence_advice))
                    else:
                        self._index(journal.path)
            finally:
                self._closed = None
                closed.set()  # marks made while it closed now go to the shut journal
            analyzer, self._analyzer = self._analyzer, None
            if analyzer is not None:
                self._states = analyzer.providers_state()
                await analyzer.aclose()

    def _index(self, journal: Path, *, remove: bool = False) -> None:
        """The library catches up with a journal that closed (or was discarded), off the loop."""
        if self.library is None:
            return
        if remove:
            self.library.put(lambda index: listing.remove(index, journal.stem))
        else:
            self.library.put(lambda index: index_journal(index, journal))

    async def export(self, session: Path, output: Path, fmt: str) -> Path:
        return await export_saved(session, output, fmt)

    # -- the post-session review ----------------------------------------------------------
    def _reviewable(self, path: Path) -> Path:
        if self.active and self._session_path is not None and Path(path) == self._session_path:
            raise InputError(f"{Path(path).name}: the session is still running; stop it, then review it")
        return Path(path)

    async def estimate(self, path: Path) -> ReviewEstimate:
        """Tokens and cost of reviewing the session at ``path`` (``sessions.review.estimate_saved``).
        Raises ``InputError`` (no transcript, still running) or ``ConfigError`` (no usable review provider)."""
        return await estimate_saved(self._reviewable(path), self.config)

    async def review(self, path: Path, on_progress: Callable[[ReviewProgress], None] | None = None) -> ReviewRun:
        """Review the session at ``path`` through the ``[post]`` chain and append the
        review to its journal (``sessions.review.review_saved``); provider trouble
        gives a review without result, not an error."""
        return await review_saved(self._reviewable(path), self.config, on_progress)

    async def retranscribe(self, path: Path, on_progress: Callable[[int, int], None] | None = None) -> SecondPass:
        """The second pass over the saved session at ``path`` with ``[transcription] second_pass_model``
        (``sessions.retranscribe``), in a thread. A model named but not downloaded is an error that
        says where to get it, rather than a download nobody sees."""
        from annotator.paths import model_cache_dir
        from annotator.sessions.retranscribe import second_pass
        from annotator.transcription.catalog import installed, model_info

        if self.active:
            raise InputError("Stop the session first: the second pass reads the audio once the session has ended.")
        t = self.config.transcription
        name = t.second_pass_model
        known = name is not None and model_info(name) is not None
        if known and not await asyncio.to_thread(installed, str(name), model_cache_dir()):
            raise ModelError(
                f"The second-pass model {name} is not downloaded yet: pick it in Settings > Transcription "
                "(Use for the second pass) to download it."
            )
        return await asyncio.to_thread(second_pass, path, t, name, on_progress=on_progress)

    async def shutdown(self) -> None:
        """Quitting: stop any session, save the marks still being appended, and
        drop the model load if still running."""
        await self.stop()
        if self._late_marks:
            await asyncio.gather(*self._late_marks, return_exceptions=True)
        await self.marks.saved()
        self.model.cancel()


def initial_states(config: Config) -> tuple[ProviderStatus, ...]:
    """Each configured provider and why it would be left out of the chain (no key, disabled)."""
    return tuple(
        ProviderStatus(p.name, p.kind, p.model, unavailable=key_status(p).unavailable) for p in config.providers
    )
