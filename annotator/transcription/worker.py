"""The one thread that owns the whisper model during a live session."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.errors import AnnotatorError, ModelError
from annotator.models import Chunk, Utterance
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.model import load_model
from annotator.transcription.utterance import transcribe_utterance

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


@dataclass
class _Queued:
    utterance: Utterance
    provisional: bool = False
    submitted: float = field(default_factory=time.monotonic)


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
    """

    def __init__(
        self,
        model: WhisperModel | str | None,
        *,
        on_chunk: Callable[[Chunk], None],
        on_error: Callable[[AnnotatorError], None] | None = None,
        on_backlog: Callable[[float], None] | None = None,
        on_ready: Callable[[], None] | None = None,
        options: TranscribeOptions | None = None,
        first_id: int = 1,
        device: str = "cpu",
        compute_type: str = "int8",
        max_merge_s: float = 28.0,
        can_merge: Callable[[Utterance, Utterance], bool] | None = None,
    ) -> None:
        self._model_spec = model
        self._on_chunk = on_chunk
        self._on_error = on_error
        self._on_backlog = on_backlog
        self._on_ready = on_ready
        self.options = options or TranscribeOptions()
        self._next_id = first_id
        self._device = device
        self._compute_type = compute_type
        self._max_merge_s = max_merge_s
        self._can_merge = can_merge  # e.g. not across a change of speaker (speakers.SpeakerStage.same_speaker)
        self._queue: deque[_Queued] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._flush = True
        self._behind = False
        self._early: dict[str, tuple[tuple[str, float, float, int], str]] = {}  # source -> (key, text)
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
            self._queue.append(_Queued(utterance))
            self._cond.notify()

    def submit_provisional(self, utterance: Utterance) -> None:
        with self._cond:
            if self._stopping or self._queue:
                return  # busy: the final utterance will be transcribed in turn
            self._queue.append(_Queued(utterance, provisional=True))
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
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    return
                if self._stopping and not self._flush:
                    return
                job, waited, provisional = self._take()
            if job is None:
                continue
            if waited is not None:
                self._behind = True
                self._report(self._on_backlog, waited)
            try:
                if provisional:
                    self._early[job.source] = (_key(job), transcribe_utterance(model, job, self.options))
                    continue
                early = self._early.pop(job.source, None)
                if early is not None and early[0] == _key(job):
                    text = early[1]
                else:
                    text = transcribe_utterance(model, job, self.options)
            except Exception as err:  # noqa: BLE001 - a CTranslate2 failure on one utterance must not end the session
                self._report(
                    self._on_error,
                    ModelError(f"Transcription of {job.source or 'audio'} at {job.start:.1f} s failed: {err}"),
                )
                continue
            if text:
                chunk = Chunk(self._next_id, job.source, job.start, job.end, text)
                self._next_id += 1
                self._report(self._on_chunk, chunk)
            if self._behind and not self.pending():
                self._behind = False
                self._report(self._on_backlog, 0.0)

    def _take(self) -> tuple[Utterance | None, float | None, bool]:
        """Next job (utterance, seconds waited when behind, provisional?); when more are
        waiting, merge the leading run of one source. Called under the lock."""
        first = self._queue.popleft()
        if first.provisional:
            if self._queue or self._stopping:
                return None, None, True  # other work waits: no speculation
            return first.utterance, None, True
        # provisional jobs behind a final one are stale: the final ones come in turn
        rest = [q for q in self._queue if not q.provisional]
        self._queue.clear()
        self._queue.extend(rest)
        if not self._queue:
            return first.utterance, None, False
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
            return first.utterance, waited, False
        return merge_utterances(items), waited, False
