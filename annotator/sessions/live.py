"""Live audio as a session's source: inputs chosen, captured, segmented, transcribed, handed to the pipeline. No Qt.

``input_pairs`` names the inputs ("You", "Them"); ``LiveInput`` runs them;
``nothing_heard`` says what to check when a session heard nothing.
"""

from __future__ import annotations

import asyncio
import gc
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.config.schema import AudioConfig, Config, TranscriptionConfig
from annotator.errors import AnnotatorError, AudioError
from annotator.models import Chunk
from annotator.sessions.events import PartialText, TranscriptionBacklog
from annotator.sessions.pipeline import Pipeline
from annotator.sessions.stored import AudioFile

if TYPE_CHECKING:
    from annotator.speakers.embedding import SpeakerEmbedder
    from annotator.speakers.stage import SpeakerStage

SOURCES = ("You", "Them")

Inputs = Sequence[tuple[str | int | None, str]]
"""(device, source name) pairs; a device is a name, PortAudio's index, or None for the default input."""


def input_pairs(devices: str | Sequence[str] | None, configured: Sequence[str]) -> list[tuple[str | int | None, str]]:
    """(device, source) pairs: the devices asked for, else the ``configured``
    inputs, else the system default (a device given as a number is
    PortAudio's index). A microphone is "You" and the monitor of an output
    (system audio: the other side of a call) "Them", whichever is given
    first; two of a kind are "You" then "Them"."""
    from annotator.audio.devices import looks_like_monitor

    chosen: list[str | None] = [devices] if isinstance(devices, str) else list(devices or ())
    chosen = chosen or list(configured) or [None]
    if len(chosen) > len(SOURCES):
        raise AudioError(f"{len(chosen)} input devices were given; at most two are recorded at once (you, and them).")
    monitors = [looks_like_monitor(d) for d in chosen]
    if len(set(monitors)) == len(monitors):  # one input, or one of each kind
        sources = [SOURCES[1] if m else SOURCES[0] for m in monitors]
    else:
        sources = list(SOURCES[: len(chosen)])
    return [(int(d) if d is not None and d.isdigit() else d, src) for d, src in zip(chosen, sources)]


async def open_live(
    whisper: Any,
    inputs: Inputs,
    config: Config,
    *,
    stream_factory: AudioFile | None = None,
    speaker_model: Callable[[], SpeakerEmbedder] | None = None,
) -> LiveInput:
    """A ``LiveInput`` built and opened in threads (each segmenter loads its voice-activity
    model, a few hundred ms; devices can be slow to open); closed again if opening fails.
    ``speaker_model()`` gives the process's speaker model (``SpeakerModel.get``: loaded once)."""

    def build() -> LiveInput:
        separate = config.transcription.separate_speakers
        return LiveInput(
            whisper,
            inputs,
            loop,
            transcription=config.transcription,
            audio=config.audio,
            stream_factory=stream_factory,
            speaker_embedder=speaker_model() if separate and speaker_model is not None else None,
        )

    loop = asyncio.get_running_loop()
    live = await asyncio.to_thread(build)
    try:
        await asyncio.to_thread(live.open)
    except BaseException:
        await live.stop()
        raise
    return live


LEVEL_INTERVAL_S = 0.05
"""Level meter updates: about 20 a second per source."""

FIRST_AUDIO_WAIT_S = 3.0
"""How long ``LiveInput.start`` waits for the inputs' first audio."""


class LiveInput:
    """Audio in, chunks out: capture(s) -> one segmenting thread (which also
    saves the audio beside the journal) -> the transcription worker ->
    ``pipeline.add_chunk`` on the loop (``call_soon_threadsafe``).

    ``inputs`` are (device, source name) pairs, e.g. ``[(mic, "You"),
    (monitor, "Them")]``. ``stream_factory`` replaces the sound card (a
    ``FileInputStream`` replays an audio file through the same path).
    ``open()`` then ``start(pipeline, record_to)`` (both blocking: run them
    in a thread), so a session's journal, and the pipeline that writes to
    it, are only built once an input works; what happened while opening
    (an input of two that failed) is reported to the pipeline at ``start``.
    ``partials=False`` leaves out the partial text of utterances in progress
    (``PartialText`` events; the benchmark compares). ``stop()`` closes the captures, flushes the utterance in progress through
    the segmenter and waits for the worker to transcribe what is queued, so
    the last words said before Stop reach the journal.
    """

    def __init__(
        self,
        whisper: Any,
        inputs: Inputs,
        loop: asyncio.AbstractEventLoop,
        *,
        transcription: TranscriptionConfig | None = None,
        audio: AudioConfig | None = None,
        stream_factory: AudioFile | Callable[[Any, Any], Any] | None = None,
        first_id: int = 1,
        partials: bool = True,
        speaker_embedder: SpeakerEmbedder | None = None,
    ) -> None:
        from annotator.audio.capture import Capture
        from annotator.audio.segmenter import Segmenter
        from annotator.transcription.filters import options_for
        from annotator.transcription.worker import TranscriptionWorker

        t = transcription or TranscriptionConfig()
        a = audio or AudioConfig()
        self._loop = loop
        self._pipeline: Pipeline | None = None  # from ``start`` on
        self._queue: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._chunks: queue.SimpleQueue[Chunk | PartialText] = queue.SimpleQueue()  # in the worker's order
        # speaker separation: a thread beside the transcriber embeds each utterance while it is
        # transcribed; the worker's chunks pass through it to be labelled (annotator/speakers/stage.py)
        self.speakers = _speaker_stage(t, self._chunk_from_worker, speaker_embedder)
        self.worker = TranscriptionWorker(
            whisper,
            on_chunk=self._chunk_from_worker if self.speakers is None else self.speakers.add_chunk,
            on_error=self._report,
            on_backlog=self._backlog,
            on_partial=self._partial if partials else None,
            options=options_for(t),
            device=t.device,
            compute_type=t.compute_type,
            first_id=first_id,
            can_merge=None if self.speakers is None else self.speakers.same_speaker,
            split_at=None if self.speakers is None else self.speakers.changes_in,
        )
        # the worker starts on an utterance as soon as its silence begins and
        # keeps the text if the silence confirms the end (DESIGN.md's latency lever)
        self.segmenters = {
            src: Segmenter(
                src,
                silence_s=a.silence_s,
                max_utterance_s=a.max_utterance_s,
                on_provisional=self.worker.submit_provisional if self.speakers is None else self._provisional,
                on_partial=self._offer if partials or self.speakers is not None else None,
            )
            for _, src in inputs
        }
        self._partials = partials
        self.recordings: dict[str, Any] = {}
        self._opened: list[Any] = []
        self._open_errors: list[AudioError] = []
        self._last_level: dict[str, float] = {}
        self.captures = [
            Capture(
                device,
                src,
                on_audio=self._audio_of(src),
                on_level=self._level_of(src),
                on_error=self._capture_error,
                stream_factory=stream_factory,
            )
            for device, src in inputs
        ]
        self._thread = threading.Thread(target=self._segment, name="segmenter", daemon=True)
        self._frozen = False

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("LiveInput.start(pipeline) has not been called")
        return self._pipeline

    def _audio_of(self, source: str) -> Callable[[Any], None]:
        return lambda block: self._queue.put((source, block))

    def _level_of(self, source: str) -> Callable[[float], None]:
        return lambda level: self._level(source, level)

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    def _report(self, error: AnnotatorError) -> None:
        """Any thread, once started: ``error`` to the pipeline's sinks on the loop."""
        self._call(self.pipeline.report, error)

    def _backlog(self, seconds: float) -> None:
        if seconds:
            self._call(self.pipeline.event, TranscriptionBacklog(round(seconds, 1)))

    def _partial(self, partial: Any) -> None:
        """Worker thread: provisional text (a ``transcription.worker.Partial``) to the sinks as an event,
        through the chunks' queue so it can never arrive after the chunk that replaces it."""
        speaker = self.speakers.current(partial.source, partial.start) if self.speakers is not None else ""
        self._chunks.put(PartialText(partial.source, round(partial.start, 2), partial.text, speaker or None))
        self._call(self._hand_over)

    def _chunk_from_worker(self, chunk: Chunk) -> None:
        """Worker thread: queue the chunk and ask the loop to take what is queued."""
        self._chunks.put(chunk)
        self._call(self._hand_over)

    def _hand_over(self) -> None:
        """On the loop: every chunk (and partial text) transcribed so far, in order, to the pipeline."""
        while True:
            try:
                item = self._chunks.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, PartialText):
                self.pipeline.event(item)
            else:
                self.pipeline.add_chunk(item)

    def _level(self, source: str, level: float) -> None:
        pipeline = self._pipeline
        if pipeline is None:  # opening: no sink to show it yet
            return
        now = time.monotonic()
        if now - self._last_level.get(source, 0.0) >= LEVEL_INTERVAL_S:
            self._last_level[source] = now
            self._call(pipeline.out.on_level, source, level)

    def open(self) -> None:
        """Open every input (blocking: call it in a thread) and wait briefly
        for audio to flow; blocks are queued until ``start``. ``AudioError``
        with the reason when no input could be opened (one that opened is enough)."""
        for capture in self.captures:
            if not capture.start():
                continue
            self._opened.append(capture)
        if not self._opened:
            reasons = " ".join(str(e) for e in self._open_errors)
            raise AudioError(reasons or "No input device could be opened; run `annotator devices` to list them.")
        # a stream's first callback can take about a second: "recording" is
        # announced when audio flows (a device that never delivers is
        # reported by the capture's own watchdog)
        deadline = time.monotonic() + FIRST_AUDIO_WAIT_S
        for capture in self._opened:
            capture.first_callback.wait(max(0.0, deadline - time.monotonic()))

    def start(self, pipeline: Pipeline, record_to: Path | None = None) -> None:
        """Start transcribing what the open inputs deliver (and what they
        delivered since ``open``) into ``pipeline``; ``record_to`` is the
        journal's audio path (None: keep no audio)."""
        from annotator.audio.recording import AudioRecording, recording_path

        self._pipeline = pipeline
        for err in self._open_errors:  # one of two inputs failed: say so, record with the other
            self._report(err)
        if record_to is not None:
            for i, src in enumerate(self.segmenters):
                try:
                    self.recordings[src] = AudioRecording(recording_path(record_to, src, first=i == 0))
                except AudioError as err:
                    self._report(err)
        # Python's full (generation 2) garbage collection walks every object
        # the process holds (~120,000 with Qt, the model and the modules
        # loaded) with the GIL held: 100 ms or more on a busy 2-core machine,
        # in whichever thread allocates at that moment, so the window froze for
        # it mid-session. What exists now lives for the session: freeze it so
        # collections only walk what the session allocates (unfrozen at stop).
        gc.freeze()
        self._frozen = True
        if self.speakers is not None:
            self.speakers.start()
        self.worker.start()
        self._thread.start()

    def _capture_error(self, err: AudioError) -> None:
        if self._thread.is_alive():
            self._report(err)
        else:
            self._open_errors.append(err)

    def _segment(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            source, block = item
            self._record(source, block)
            for utterance in self.segmenters[source].feed(block):
                self._submit(utterance)
        for segmenter in self.segmenters.values():
            for utterance in segmenter.flush():
                self._submit(utterance)
        for recording in self.recordings.values():
            recording.close()

    def _offer(self, utterance: Any) -> None:
        """Segmenter thread: the audio so far of an utterance in progress, to the speaker stage (its voice
        so far, a change of speaker in it) and to the worker (partial text)."""
        if self.speakers is not None:
            self.speakers.add_partial(utterance)
        if self._partials:
            self.worker.submit_partial(utterance)

    def _provisional(self, utterance: Any) -> None:
        if self.speakers is not None:
            self.speakers.add_provisional(utterance)
        self.worker.submit_provisional(utterance)

    def _submit(self, utterance: Any) -> None:
        if self.speakers is not None:  # first: its embedding is queued ahead of the chunk the worker makes of it
            self.speakers.add_utterance(utterance)
        self.worker.submit(utterance)

    def _record(self, source: str, block: Any) -> None:
        recording = self.recordings.get(source)
        if recording is None:
            return
        try:
            recording.write(block)
        except AudioError as err:
            del self.recordings[source]
            self._report(err)

    def _close(self) -> None:
        for capture in self.captures:
            capture.stop()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join()
            self.worker.stop(flush=True)
        if self.speakers is not None:
            self.speakers.stop()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()  # what the session left behind is collectable again

    async def stop(self) -> None:
        """Close the inputs, transcribe what was said up to now, and hand every
        chunk to the pipeline before returning (not left to callbacks the loop
        may run later: under qasync a thread's callback can run after the
        coroutine that waited for the thread), so the journal gets them all."""
        await asyncio.to_thread(self._close)
        if self._pipeline is not None:
            self._hand_over()


def _speaker_stage(
    t: TranscriptionConfig, on_chunk: Callable[[Chunk], None], embedder: SpeakerEmbedder | None
) -> SpeakerStage | None:
    """The speaker stage for a live session (with ``embedder``, the process's speaker model; None: load
    one), or None when speaker separation is off."""
    from annotator.speakers.stage import SpeakerStage, speakers_for

    speakers = speakers_for(t.separate_speakers, t.speakers, embedder)
    return None if speakers is None else SpeakerStage(speakers, on_chunk)


def nothing_heard(live: LiveInput, audio: AudioFile | None) -> str:
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
