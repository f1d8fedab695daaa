"""The one thread that owns the whisper model during a live session."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.errors import AnnotatorError, ModelError
from annotator.models import Chunk, Utterance
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.model import load_model
from annotator.transcription.utterance import split_utterance, transcribe_utterance

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


@dataclass(frozen=True)
class Partial:
    """Provisional text of an utterance still in progress (or whose end is not confirmed):
    ``text`` for the audio from ``start`` to ``end`` (session seconds). Never a chunk."""

    source: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class PartialPolicy:
    """When the worker transcribes an utterance in progress.

    ``PartialPolicy(interval_s=0.5, max_share=0.5)``: a partial at most every
    ``interval_s``, and never more than ``max_share`` of the worker's time (after a
    partial that took d seconds the next waits at least ``d * (1 - max_share) /
    max_share``), so on a loaded machine the interval grows by itself. An offer
    older than ``fresh_s`` when its turn comes is skipped (speech paused: the
    provisional utterance is coming). ``encoder_s``: the encoder input floor for
    partials (seconds of frames; None: the model's own floor), cheaper than the
    final's since a partial is replaced anyway."""

    interval_s: float = 0.5
    max_share: float = 0.5
    fresh_s: float = 0.15
    encoder_s: float | None = None


@dataclass
class _Queued:
    utterance: Utterance
    provisional: bool = False
    submitted: float = field(default_factory=time.monotonic)


_Part = tuple[float, float, str]
"""(start, end, text) of one chunk to be made of a job."""


def _key(u: Utterance) -> tuple[str, float, float, int]:
    return (u.source, u.start, u.end, len(u.audio))


def merge_utterances(items: list[Utterance], gap_s: float = 0.2) -> Utterance:
    """Consecutive utterances of one source as one, with ``gap_s`` of silence between them."""
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    for i, u in enumerate(items):
        if i:
            parts.append(gap)
        parts.append(np.asarray(u.audio, dtype=np.float32))
    return Utterance(items[0].source, items[0].start, items[-1].end, np.concatenate(parts))


class TranscriptionWorker:
    """One thread that owns the whisper model and turns utterances into chunks.

    ``model`` is a loaded ``WhisperModel`` or a name/path/None that the worker
    loads in its own thread (``start()`` returns at once). Callbacks, all
    called FROM THE WORKER THREAD (marshal them to your loop/thread):

    - ``on_ready()``: the model is loaded; utterances submitted before are
      kept and transcribed after.
    - ``on_chunk(Chunk)``: text for one utterance (or several merged); ids
      increase from ``first_id``; utterances with no speech give no chunk.
    - ``on_error(AnnotatorError)``: the model failed to load (the worker then
      ends) or one utterance failed (the worker goes on).
    - ``on_partial(Partial)``: provisional text of an utterance in progress
      (offered with ``submit_partial``) or of one whose end is not confirmed
      yet (``submit_provisional``); the chunk for it follows.
    - ``on_backlog(seconds_waiting)``: transcription is behind real time;
      waiting utterances of the same source were merged (up to ``max_merge_s``
      of audio) instead of queueing; 0.0 once it has caught up.

    ``submit()`` never blocks. ``stop(flush=True)`` transcribes what is queued,
    then ends the thread.

    ``submit_provisional(utterance)`` (wire it to ``Segmenter(on_provisional=...)``)
    starts transcribing an utterance whose end is not confirmed yet, only
    when the worker is idle; nothing is delivered for it, but when the same
    utterance is then ``submit``-ted its text is ready at once. If speech
    resumed instead, the result is discarded.

    ``submit_partial(utterance)`` (wire it to ``Segmenter(on_partial=...)``)
    offers the audio of an utterance in progress. Only the newest offer per
    source is kept; it is transcribed when no final or provisional utterance
    waits and ``partial_policy`` allows (interval, share of the worker's time),
    otherwise it is skipped. A final never waits for more than the one partial
    already running.

    ``split_at(utterance)`` (``speakers.SpeakerStage.changes_in``) gives, without
    waiting, the session times of changes of speaker already known inside an
    utterance about to be transcribed: its words are then timed and it becomes
    one chunk per speaker, cut at the word there (``utterance.split_utterance``).
    Merged utterances are never split.
    """

    def __init__(
        self,
        model: WhisperModel | str | None,
        *,
        on_chunk: Callable[[Chunk], None],
        on_error: Callable[[AnnotatorError], None] | None = None,
        on_backlog: Callable[[float], None] | None = None,
        on_ready: Callable[[], None] | None = None,
        on_partial: Callable[[Partial], None] | None = None,
        partial_policy: PartialPolicy | None = None,
        options: TranscribeOptions | None = None,
        first_id: int = 1,
        device: str = "cpu",
        compute_type: str = "int8",
        max_merge_s: float = 28.0,
        can_merge: Callable[[Utterance, Utterance], bool] | None = None,
        split_at: Callable[[Utterance], Sequence[float]] | None = None,
    ) -> None:
        self._model_spec = model
        self._on_chunk = on_chunk
        self._on_error = on_error
        self._on_backlog = on_backlog
        self._on_ready = on_ready
        self._on_partial = on_partial
        self.partial_policy = partial_policy or PartialPolicy()
        self._offers: dict[str, _Queued] = {}  # source -> newest partial offer
        self._partial_due: dict[str, float] = {}  # source -> monotonic time the next partial may start
        self.partial_seconds = 0.0  # time spent on partials (for the benchmark's CPU share)
        self.partials_run = 0
        self.options = options or TranscribeOptions()
        self._next_id = first_id
        self._device = device
        self._compute_type = compute_type
        self._max_merge_s = max_merge_s
        self._can_merge = can_merge  # e.g. not across a change of speaker (speakers.SpeakerStage.same_speaker)
        self._split_at = split_at  # e.g. a change of speaker inside it (speakers.SpeakerStage.change_in)
        self.splits = 0
        self._queue: deque[_Queued] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._flush = True
        self._behind = False
        self._early: dict[str, tuple[tuple[str, float, float, int], list[_Part]]] = {}  # source -> (key, parts)
        self._thread = threading.Thread(target=self._run, name="transcription", daemon=True)
        self.ready = threading.Event()
        self.failed = threading.Event()

    @property
    def next_id(self) -> int:
        return self._next_id

    def start(self) -> None:
        self._thread.start()

    def submit(self, utterance: Utterance) -> None:
        with self._cond:
            if self._stopping:
                return
            self._offers.pop(utterance.source, None)  # the final supersedes any partial
            self._queue.append(_Queued(utterance))
            self._cond.notify()

    def submit_provisional(self, utterance: Utterance) -> None:
        with self._cond:
            self._offers.pop(utterance.source, None)
            if self._stopping or self._queue:
                return  # busy: the final utterance will be transcribed in turn
            self._queue.append(_Queued(utterance, provisional=True))
            self._cond.notify()

    def submit_partial(self, utterance: Utterance) -> None:
        """Offer the audio so far of an utterance in progress (never blocks; may be skipped)."""
        if self._on_partial is None:
            return
        with self._cond:
            if self._stopping:
                return
            self._offers[utterance.source] = _Queued(utterance)
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def stop(self, flush: bool = True, timeout: float | None = None) -> bool:
        """Ask the thread to end (after the queue when ``flush``); True when it has ended."""
        with self._cond:
            self._stopping = True
            self._flush = flush
            if not flush:
                self._queue.clear()
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the thread --------------------------------------------------------

    def _report(self, cb: Callable[..., None] | None, *args: Any) -> None:
        if cb is None:
            return
        try:
            cb(*args)
        except Exception:  # a broken callback must not end transcription; it is the caller's bug
            logging.getLogger(__name__).exception("transcription callback %r failed", cb)

    def _run(self) -> None:
        spec = self._model_spec
        if isinstance(spec, str) or spec is None:
            try:
                model = load_model(spec, self._device, self._compute_type)
            except ModelError as err:
                self.failed.set()
                with self._cond:
                    self._stopping = True
                    self._queue.clear()
                self._report(self._on_error, err)
                return
        else:
            model = spec
        self.ready.set()
        self._report(self._on_ready)
        while True:
            with self._cond:
                offer = None
                while not self._queue and not self._stopping:
                    offer, wait = self._due_offer()
                    if offer is not None:
                        break
                    self._cond.wait(wait)
                if offer is None:
                    if not self._queue:
                        return
                    if self._stopping and not self._flush:
                        return
                    job, waited, provisional, single = self._take()
            if offer is not None:
                self._run_partial(model, offer)
                continue
            if job is None:
                continue
            if waited is not None:
                self._behind = True
                self._report(self._on_backlog, waited)
            try:
                if provisional:
                    parts = self._transcribe(model, job, single)
                    self._early[job.source] = (_key(job), parts)
                    text = " ".join(part[2] for part in parts)
                    if text:
                        self._report(self._on_partial, Partial(job.source, job.start, job.end, text))
                    continue
                early = self._early.pop(job.source, None)
                if early is not None and early[0] == _key(job):
                    parts = early[1]
                else:
                    parts = self._transcribe(model, job, single)
            except Exception as err:  # noqa: BLE001 - a CTranslate2 failure on one utterance must not end the session
                self._report(
                    self._on_error,
                    ModelError(f"Transcription of {job.source or 'audio'} at {job.start:.1f} s failed: {err}"),
                )
                continue
            for start, end, text in parts:
                if text:
                    chunk = Chunk(self._next_id, job.source, start, end, text)
                    self._next_id += 1
                    self._report(self._on_chunk, chunk)
            if self._behind and not self.pending():
                self._behind = False
                self._report(self._on_backlog, 0.0)

    def _transcribe(self, model: WhisperModel, job: Utterance, single: bool) -> list[_Part]:
        """``job``'s text as (start, end, text) parts: one per speaker when ``split_at`` already knows of a
        change of speaker inside it (never waited for; its words are timed to cut the text there), else one."""
        changes = [t for t in self._split_at(job) if job.start < t < job.end] if single and self._split_at else []
        if changes:
            parts = split_utterance(model, job, changes, self.options)
            self.splits += len(parts) > 1
            return parts
        text = transcribe_utterance(model, job, self.options)
        return [(job.start, job.end, text)] if text else []

    def _due_offer(self) -> tuple[Utterance | None, float | None]:
        """The partial offer to transcribe now, else how long to wait for one (None: until notified).
        Called under the lock; stale offers are dropped."""
        now = time.monotonic()
        policy = self.partial_policy
        wait: float | None = None
        for source, offer in list(self._offers.items()):
            if now - offer.submitted > policy.fresh_s:
                del self._offers[source]  # speech paused or the worker was busy: skip it
                continue
            due = self._partial_due.get(source, 0.0)
            if due <= now:
                del self._offers[source]
                return offer.utterance, None
            left = min(due, offer.submitted + policy.fresh_s) - now
            wait = left if wait is None else min(wait, left)
        return None, None if wait is None else max(0.001, wait)

    def _run_partial(self, model: WhisperModel, utterance: Utterance) -> None:
        policy = self.partial_policy
        t0 = time.monotonic()
        saved = getattr(model, "min_encoder_frames", None)
        try:
            if policy.encoder_s is not None and saved is not None:
                model.min_encoder_frames = int(policy.encoder_s * 100)
            text = transcribe_utterance(model, utterance, self.options)
        except Exception:  # a failed partial is only a missed preview; the final reports errors
            logging.getLogger(__name__).debug("partial transcription failed", exc_info=True)
            text = ""
        finally:
            if policy.encoder_s is not None and saved is not None:
                model.min_encoder_frames = saved
        took = time.monotonic() - t0
        self.partial_seconds += took
        self.partials_run += 1
        gap = max(policy.interval_s - took, took * (1.0 - policy.max_share) / max(policy.max_share, 0.01))
        with self._cond:
            self._partial_due[utterance.source] = time.monotonic() + gap
        if text:
            self._report(self._on_partial, Partial(utterance.source, utterance.start, utterance.end, text))

    def _take(self) -> tuple[Utterance | None, float | None, bool, bool]:
        """Next job (utterance, seconds waited when behind, provisional?, one utterance?); when more are
        waiting, merge the leading run of one source. Called under the lock."""
        first = self._queue.popleft()
        if first.provisional:
            if self._queue or self._stopping:
                return None, None, True, True  # other work waits: no speculation
            return first.utterance, None, True, True
        # provisional jobs behind a final one are stale: the final ones come in turn
        rest = [q for q in self._queue if not q.provisional]
        self._queue.clear()
        self._queue.extend(rest)
        if not self._queue:
            return first.utterance, None, False, True
        items = [first.utterance]
        total = len(first.utterance.audio) / SAMPLE_RATE
        while self._queue and self._queue[0].utterance.source == first.utterance.source:
            nxt = self._queue[0].utterance
            dur = len(nxt.audio) / SAMPLE_RATE
            if total + dur + 0.2 > self._max_merge_s:
                break
            if self._can_merge is not None and not self._can_merge(items[-1], nxt):
                break
            items.append(nxt)
            total += dur + 0.2
            self._queue.popleft()
        waited = time.monotonic() - first.submitted
        if len(items) == 1:
            return first.utterance, waited, False, True
        return merge_utterances(items), waited, False, False
