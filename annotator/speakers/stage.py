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

import numpy as np

from annotator.models import Chunk, Utterance
from annotator.speakers.clustering import SpeakerClusters
from annotator.speakers.embedding import SAMPLE_RATE, SpeakerEmbedder

log = logging.getLogger(__name__)

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
    """Embedding + clustering: the speaker of each utterance, in order. One caller at a time."""

    def __init__(self, embedder: SpeakerEmbedder, expected: int | None = None) -> None:
        self._embedder = embedder
        self.clusters = SpeakerClusters(expected)
        self.turns: list[Turn] = []
        self._lock = threading.Lock()  # turns are read from the transcriber's thread (``same_speaker``)
        self.cpu_s = 0.0
        self.embedded = 0

    def embed(self, utterance: Utterance) -> np.ndarray:
        """``utterance``'s embedding (its CPU time counted)."""
        t0 = time.thread_time()
        emb = self._embedder.embed(utterance.audio)
        self.cpu_s += time.thread_time() - t0
        return emb

    def utterance(self, utterance: Utterance, embedding: np.ndarray | None = None) -> str:
        """The speaker id of ``utterance`` (also kept in ``turns``); ``embedding`` when already made."""
        emb = self.embed(utterance) if embedding is None else embedding
        t0 = time.thread_time()
        seconds = len(utterance.audio) / SAMPLE_RATE
        sid = self.clusters.assign(utterance.source, emb, seconds)
        self.cpu_s += time.thread_time() - t0
        self.embedded += 1
        with self._lock:
            self.turns.append(Turn(utterance.source, utterance.start, utterance.end, sid))
            if len(self.turns) > 256:  # chunks are labelled within a few utterances of their own
                del self.turns[:128]
        return sid

    def speaker_of(self, utterance: Utterance) -> str:
        """The speaker given to exactly this utterance ("" when not embedded yet)."""
        with self._lock:
            for turn in reversed(self.turns):
                if (turn.source, turn.start, turn.end) == (utterance.source, utterance.start, utterance.end):
                    return turn.speaker
        return ""

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


def speakers_for(separate: bool, expected: int | None) -> Speakers | None:
    """``Speakers`` with the bundled model, or None when speaker separation is off (``separate_speakers``)."""
    return Speakers(SpeakerEmbedder(), expected) if separate else None


@dataclass(frozen=True)
class _Provisional:
    utterance: Utterance


class SpeakerStage:
    """A thread: utterances in (embedded, clustered), chunks in, chunks out labelled with their speaker.

    ``on_chunk(Chunk)`` is called on the stage's thread, in the order chunks came in. ``stop()`` passes
    on what is queued first. A failure to embed one utterance is logged and leaves its chunks unlabelled.
    """

    def __init__(self, speakers: Speakers, on_chunk: Callable[[Chunk], None]) -> None:
        self.speakers = speakers
        self._on_chunk = on_chunk
        self._queue: queue.SimpleQueue[Utterance | _Provisional | Chunk | None] = queue.SimpleQueue()
        self._early: dict[str, tuple[tuple[str, float, float], np.ndarray]] = {}  # source -> (key, embedding)
        self._pending: dict[tuple[str, float, float], threading.Event] = {}  # utterances not embedded yet
        self._pending_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="speakers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add_provisional(self, utterance: Utterance) -> None:
        """An utterance whose end is not confirmed yet (``Segmenter(on_provisional=...)``): embedded at
        once, so when it is confirmed (``add_utterance`` of the same utterance) its speaker is known
        straight away, as its text is (the transcriber starts on it too). Speech resuming wastes ~35 ms."""
        self._queue.put(_Provisional(utterance))

    def add_utterance(self, utterance: Utterance) -> None:
        with self._pending_lock:
            self._pending[_key(utterance)] = threading.Event()
        self._queue.put(utterance)

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
            if isinstance(item, _Provisional):
                try:
                    u = item.utterance
                    self._early[u.source] = (_key(u), self.speakers.embed(u))
                except Exception:  # speculative: the final utterance is embedded in turn
                    log.exception("speaker embedding failed for %s", item.utterance.source)
                continue
            if isinstance(item, Utterance):
                early = self._early.pop(item.source, None)
                try:
                    self.speakers.utterance(item, early[1] if early is not None and early[0] == _key(item) else None)
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
