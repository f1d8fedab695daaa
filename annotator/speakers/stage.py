"""Speakers for chunks, off the transcription thread.

``SpeakerStage`` is a thread beside the transcriber. The segmenter hands it
each final utterance (``add_utterance``) at the moment it hands it to the
transcriber, so the embedding (~60 ms of CPU for a few seconds of speech)
runs on the other core while faster-whisper transcribes (0.5 s or more).
The transcriber's chunks then go through the same queue (``add_chunk``):
being behind their utterances in it, each chunk finds its speaker already
known and is passed on at once, labelled. Text is never held for longer than
the embeddings queued before it.

A chunk made of several merged utterances (the transcriber was behind) gets
the speaker who said most of it.

While an utterance is still being said, the segmenter's partial offers come
here too (``add_partial``): its windows are embedded as it grows, so the
speaker of its partial captions (``current``) and any change of speaker
inside it (``changes_in``) are known early. The transcriber asks
``changes_in`` (never waiting) as it starts on the utterance and, when a
change is known, cuts the text at the word there: one chunk per speaker.

``Speakers`` does the same synchronously for a file (``annotator transcribe``).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from annotator.models import Chunk, Utterance
from annotator.speakers.changes import find_changes
from annotator.speakers.clustering import SpeakerClusters
from annotator.speakers.embedding import DIMENSIONS, SAMPLE_RATE, SpeakerEmbedder, mean_vector, window_count

log = logging.getLogger(__name__)

PROGRESS_BATCH = 4
"""An utterance in progress is embedded four windows (1.6 s) at a time, the first two as soon as heard."""

PARTIAL_MIN_WINDOWS = 2
"""Windows of an utterance in progress (2: 1.2 s of audio) before its partial captions may name a speaker."""

MERGE_WAIT_S = 2.0
"""Longest the transcriber waits for an utterance's speaker before merging it with the one before."""


def _key(u: Utterance) -> tuple[str, float, float]:
    return (u.source, u.start, u.end)


@dataclass(frozen=True)
class Turn:
    """A span of one source's audio said by ``speaker``."""

    source: str
    start: float
    end: float
    speaker: str


class Speakers:
    """Embedding + clustering: the speaker of each utterance, in order. One caller at a time (``progress``
    and ``utterance`` from one thread; ``same_speaker``, ``of_span``, ``changes_in`` and ``current`` from any).

    An utterance in progress (``progress``, the audio so far) is embedded a few windows at a time, so
    its final embedding only adds the windows after the last batch; on the way, the speaker it sounds
    like (``current``, for its partial captions) and changes of speaker inside it (``changes_in``, for
    the transcriber to cut its text there) become known without waiting for its end."""

    def __init__(self, embedder: SpeakerEmbedder, expected: int | None = None, *, split: bool = True) -> None:
        self._embedder = embedder
        self.split = split  # look for changes of speaker inside an utterance (False: the benchmark's "before")
        self.clusters = SpeakerClusters(expected)
        self.turns: list[Turn] = []
        self._lock = threading.Lock()  # turns are read from the transcriber's thread (``same_speaker``)
        self._growing: dict[str, tuple[float, np.ndarray]] = {}  # source -> (utterance start, its windows)
        self._now: dict[str, tuple[float, str, tuple[float, ...]]] = {}  # source -> (start, speaker so far, changes)
        self.cpu_s = 0.0
        self.embedded = 0
        self.splits = 0

    @property
    def embedder(self) -> SpeakerEmbedder:
        return self._embedder

    def _windows(self, utterance: Utterance, batch: int = 1) -> np.ndarray:
        """The window embeddings of ``utterance``, reusing those of the same utterance's audio so far;
        new windows only ``batch`` or more at a time (the encoder costs 15 ms for one window alone,
        5 ms each for four together, 3.4 ms each for a whole utterance's)."""
        start, done = self._growing.get(utterance.source, (float("nan"), np.zeros((0, DIMENSIONS), np.float32)))
        available = window_count(len(utterance.audio))
        if start != utterance.start or len(done) > available:
            done = np.zeros((0, DIMENSIONS), np.float32)
        if available - len(done) < (batch if len(done) else min(batch, PARTIAL_MIN_WINDOWS)):
            self._growing[utterance.source] = (utterance.start, done)
            return done
        more = self._embedder.windows(utterance.audio, first=len(done))
        windows = np.concatenate([done, more]) if len(more) else done
        self._growing[utterance.source] = (utterance.start, windows)
        return windows

    def progress(self, utterance: Utterance) -> None:
        """The audio so far of an utterance in progress (or whose end is not confirmed): its new windows
        embedded (``PROGRESS_BATCH`` at a time); what they say is read by ``current`` and ``changes_in``."""
        t0 = time.thread_time()
        start, done = self._growing.get(utterance.source, (None, ()))
        windows = self._windows(utterance, PROGRESS_BATCH)
        if start == utterance.start and len(windows) == len(done) and utterance.source in self._now:
            self.cpu_s += time.thread_time() - t0
            return  # nothing new heard since the last look
        speaker = ""
        changes = find_changes(windows) if self.split else []
        if not changes and len(windows) >= PARTIAL_MIN_WINDOWS:
            speaker = self.clusters.clear_match(utterance.source, mean_vector(windows))
        with self._lock:
            self._now[utterance.source] = (utterance.start, speaker, tuple(utterance.start + c.at for c in changes))
        self.cpu_s += time.thread_time() - t0

    def current(self, source: str, start: float) -> str:
        """The speaker the utterance of ``source`` begun at ``start`` clearly sounds like so far ("" when
        not known: under ~1.2 s heard, a voice not clearly one already heard, or two voices in it)."""
        with self._lock:
            now = self._now.get(source)
        return now[1] if now is not None and now[0] == start else ""

    def changes_in(self, utterance: Utterance) -> tuple[float, ...]:
        """The session times at which the speaker changes inside ``utterance``, as far as its audio so far
        showed them reliably (``changes.find_changes``). Never waits."""
        with self._lock:
            now = self._now.get(utterance.source)
        return now[2] if now is not None and now[0] == utterance.start else ()

    def embed(self, utterance: Utterance) -> np.ndarray:
        """``utterance``'s embedding (its CPU time counted)."""
        t0 = time.thread_time()
        emb = self._embedder.embed(utterance.audio)
        self.cpu_s += time.thread_time() - t0
        return emb

    def utterance(self, utterance: Utterance, embedding: np.ndarray | None = None) -> str:
        """The speaker id of ``utterance`` (who said most of it; kept in ``turns``, two when the speaker
        changes inside it); ``embedding`` when already made (then it is not searched for a change)."""
        return max(self.turns_for(utterance, embedding), key=lambda t: t.end - t.start).speaker

    def turns_for(self, utterance: Utterance, embedding: np.ndarray | None = None) -> list[Turn]:
        """Who said ``utterance``: one turn, or two when the speaker changes inside it (also kept in ``turns``)."""
        t0 = time.thread_time()
        seconds = len(utterance.audio) / SAMPLE_RATE
        source = utterance.source
        turns: list[Turn] = []
        if embedding is None and window_count(len(utterance.audio)):
            windows = self._windows(utterance)
            del self._growing[source]
            changes = find_changes(windows) if self.split else []
            if changes:
                edges = [0, *(c.window for c in changes), len(windows)]
                times = [utterance.start, *(utterance.start + c.at for c in changes), utterance.end]
                for i in range(len(edges) - 1):
                    part = windows[edges[i] + (i > 0) : edges[i + 1]]  # the window straddling a change left out
                    sid = self.clusters.assign(source, mean_vector(part), times[i + 1] - times[i])
                    if turns and turns[-1].speaker == sid:
                        turns[-1] = Turn(source, turns[-1].start, times[i + 1], sid)
                    else:
                        turns.append(Turn(source, times[i], times[i + 1], sid))
                self.splits += len(turns) > 1
            else:
                embedding = mean_vector(windows)
        if not turns:
            emb = self._embedder.embed(utterance.audio) if embedding is None else embedding
            turns = [Turn(source, utterance.start, utterance.end, self.clusters.assign(source, emb, seconds))]
        with self._lock:
            self._now.pop(source, None)
            self.turns += turns
            if len(self.turns) > 256:  # chunks are labelled within a few utterances of their own
                del self.turns[:128]
        self.cpu_s += time.thread_time() - t0
        self.embedded += 1
        return turns

    def spans(self, utterance: Utterance) -> list[tuple[float, float, str]]:
        """``turns_for`` as (start, end, speaker) (``transcription.files.transcribe_samples(turns_of=...)``)."""
        return [(t.start, t.end, t.speaker) for t in self.turns_for(utterance)]

    def speaker_of(self, utterance: Utterance) -> str:
        """The speaker given to this utterance, who said most of it when it holds two ("" when not
        embedded yet)."""
        with self._lock:
            known = any(t.source == utterance.source and t.start == utterance.start for t in self.turns)
        return self.of_span(utterance.source, utterance.start, utterance.end) if known else ""

    def same_speaker(self, a: Utterance, b: Utterance) -> bool:
        """False only when ``a`` and ``b`` are known to be different speakers."""
        first, second = self.speaker_of(a), self.speaker_of(b)
        return not (first and second and first != second)

    def of_span(self, source: str, start: float, end: float) -> str:
        """The speaker who said most of ``source`` between ``start`` and ``end`` ("" when none is known)."""
        said: dict[str, float] = {}
        with self._lock:
            turns = list(self.turns)
        for turn in turns:
            if turn.source != source:
                continue
            overlap = min(end, turn.end) - max(start, turn.start)
            if overlap > 0 or (turn.start == start and turn.end == end):
                said[turn.speaker] = said.get(turn.speaker, 0.0) + max(overlap, 1e-6)
        return max(said, key=lambda k: said[k]) if said else ""

    def label(self, chunk: Chunk) -> Chunk:
        sid = self.of_span(chunk.source, chunk.start, chunk.end)
        return dataclasses.replace(chunk, speaker=sid) if sid else chunk


def speakers_for(separate: bool, expected: int | None, embedder: SpeakerEmbedder | None = None) -> Speakers | None:
    """``Speakers`` with ``embedder`` (the process's, from the composition root; else the bundled model
    loaded now), or None when speaker separation is off (``separate_speakers``)."""
    if not separate:
        return None
    return Speakers(embedder if embedder is not None else SpeakerEmbedder(), expected)


class SpeakerModel:
    """The speaker model, loaded once for the process at its first use and then shared by every
    session (made by the composition root and passed in; loading takes ~0.3 s). Thread-safe."""

    def __init__(self, model_path: Path | None = None) -> None:
        self._path = model_path
        self._embedder: SpeakerEmbedder | None = None
        self._lock = threading.Lock()
        self.loads = 0

    def get(self) -> SpeakerEmbedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = SpeakerEmbedder() if self._path is None else SpeakerEmbedder(self._path)
                self.loads += 1
            return self._embedder


@dataclass(frozen=True)
class _Provisional:
    utterance: Utterance


@dataclass(frozen=True)
class _Growing:
    utterance: Utterance


class SpeakerStage:
    """A thread: utterances in (embedded, clustered), chunks in, chunks out labelled with their speaker.

    ``on_chunk(Chunk)`` is called on the stage's thread, in the order chunks came in. ``stop()`` passes
    on what is queued first. A failure to embed one utterance is logged and leaves its chunks unlabelled.
    """

    def __init__(self, speakers: Speakers, on_chunk: Callable[[Chunk], None]) -> None:
        self.speakers = speakers
        self._on_chunk = on_chunk
        self._queue: queue.SimpleQueue[Utterance | _Provisional | _Growing | Chunk | None] = queue.SimpleQueue()
        self._pending: dict[tuple[str, float, float], threading.Event] = {}  # utterances not embedded yet
        self._pending_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="speakers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add_partial(self, utterance: Utterance) -> None:
        """The audio so far of an utterance in progress (``Segmenter(on_partial=...)``): its new windows
        are embedded, so the speaker of its partial captions (``current``) and a change of speaker inside
        it (``change_in``) are known before it ends, and its final embedding has little left to do."""
        self._queue.put(_Growing(utterance))

    def add_provisional(self, utterance: Utterance) -> None:
        """An utterance whose end is not confirmed yet (``Segmenter(on_provisional=...)``): embedded at
        once, so when it is confirmed (``add_utterance`` of the same utterance) its speaker is known
        straight away, as its text is (the transcriber starts on it too)."""
        self._queue.put(_Provisional(utterance))

    def add_utterance(self, utterance: Utterance) -> None:
        with self._pending_lock:
            self._pending[_key(utterance)] = threading.Event()
        self._queue.put(utterance)

    def current(self, source: str, start: float) -> str:
        """The speaker of ``source``'s utterance in progress begun at ``start``, when clearly known (else "")."""
        return self.speakers.current(source, start)

    def changes_in(self, utterance: Utterance) -> tuple[float, ...]:
        """For the transcriber: the session times of changes of speaker inside ``utterance``, as far as
        known from its audio so far (never waits), so its text can be cut there."""
        return self.speakers.changes_in(utterance)

    def same_speaker(self, a: Utterance, b: Utterance, wait_s: float = MERGE_WAIT_S) -> bool:
        """For the transcriber, which when behind merges the utterances waiting for it: False when
        ``a`` and ``b`` are different speakers, so a change of speaker is never merged into one line.
        Waits (at most ``wait_s`` each) for their embeddings: only ever when transcription is behind,
        and an embedding costs a tenth of a transcription."""
        for u in (a, b):
            with self._pending_lock:
                done = self._pending.get(_key(u))
            if done is not None:
                done.wait(wait_s)
        return self.speakers.same_speaker(a, b)

    def add_chunk(self, chunk: Chunk) -> None:
        self._queue.put(chunk)

    def stop(self, timeout: float | None = None) -> bool:
        """Pass on what is queued, then end the thread; True when it has ended."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, (_Provisional, _Growing)):
                try:
                    self.speakers.progress(item.utterance)
                except Exception:  # speculative: the final utterance is embedded in turn
                    log.exception("speaker embedding failed for %s", item.utterance.source)
                continue
            if isinstance(item, Utterance):
                try:
                    self.speakers.utterance(item)
                except Exception:  # one utterance's embedding failing must not stop the transcript
                    log.exception("speaker embedding failed for %s at %.1f s", item.source, item.start)
                finally:
                    with self._pending_lock:
                        done = self._pending.pop(_key(item), None)
                    if done is not None:
                        done.set()
                continue
            try:
                self._on_chunk(self.speakers.label(item))
            except Exception:  # a broken callback is the caller's bug; the stage goes on
                log.exception("speaker stage callback failed")
