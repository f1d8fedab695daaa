"""Voice-activity segmentation: a 16 kHz mono stream in, utterances out.

``StreamingVad`` runs the Silero VAD model that faster-whisper bundles
(``faster_whisper/assets/silero_vad_v6.onnx``) on 32 ms windows, keeping the
model's recurrent state and the 64-sample context across calls (faster-whisper's
own ``vad`` module resets both on every call, so it only works on whole files).

``Segmenter`` turns the per-window speech probabilities into utterances: speech
starts when the probability crosses ``threshold`` (with ``pre_roll_s`` of audio
kept from before), and ends after ``silence_s`` below ``neg_threshold``. An
utterance that runs past ``max_utterance_s`` is cut at its last pause (or hard
at the cap when there was none). ``flush()`` at Stop returns the utterance in
progress, so nothing said before Stop is lost.

Early transcription: with ``on_provisional``, the segmenter also reports the
utterance as soon as ``post_roll_s`` of silence follows it, before the end is
confirmed at ``silence_s``. If speech does not resume, the final utterance
returned by ``feed`` is identical (same start, end and audio), so a
transcription started on the provisional one can be reused
(``TranscriptionWorker.submit_provisional``).

Partial captions: with ``on_partial``, the segmenter also offers the utterance
so far (from its start to the newest window) every ``partial_every_s`` while
speech goes on, once ``min_speech_s`` of it was heard. It only offers: the
worker (``TranscriptionWorker.submit_partial``) keeps the newest offer per
source and decides, by its load, whether and when to transcribe it. Nothing is
offered once the silence that may end the utterance has begun (the provisional
utterance takes over from there).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable

import numpy as np
import onnxruntime
from faster_whisper.utils import get_assets_path

from annotator.audio import SAMPLE_RATE
from annotator.errors import ModelError
from annotator.models import Utterance

WINDOW = 512  # samples per VAD window at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous window the model sees


def vad_model_path() -> str:
    return os.path.join(get_assets_path(), "silero_vad_v6.onnx")


class StreamingVad:
    """Silero VAD over a stream: ``process(windows)`` returns one speech
    probability per 512-sample window, carrying state across calls.

    Not thread-safe; one instance per audio source.
    """

    def __init__(self, path: str | None = None) -> None:
        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        opts.enable_cpu_mem_arena = False
        opts.log_severity_level = 4
        model = path or vad_model_path()
        try:
            self._session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"], sess_options=opts)
        except Exception as err:  # onnxruntime raises its own untyped errors
            raise ModelError(f"The voice-activity model {model} could not be loaded: {err}") from err
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def process(self, audio: np.ndarray) -> np.ndarray:
        """Probabilities for ``len(audio) // 512`` windows; ``len(audio)`` must be a multiple of 512."""
        n = len(audio) // WINDOW
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        windows = np.asarray(audio[: n * WINDOW], dtype=np.float32).reshape(n, WINDOW)
        contexts = np.empty((n, CONTEXT), dtype=np.float32)
        contexts[0] = self._context
        if n > 1:
            contexts[1:] = windows[:-1, -CONTEXT:]
        batch = np.concatenate([contexts, windows], axis=1)
        probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -CONTEXT:].copy()
        return np.asarray(probs, dtype=np.float32).reshape(-1)[:n]


class Segmenter:
    """Cuts one source's 16 kHz mono float32 stream into ``Utterance`` objects.

    ``feed(block, t)`` takes any block size and returns the utterances that
    ended inside it; ``t`` is the session time (s) of the block's first sample
    and re-anchors the clock (omit it to count samples from 0). ``flush()``
    returns the utterance in progress at Stop. Utterances with less than
    ``min_speech_s`` of speech are dropped (coughs, clicks).
    """

    def __init__(
        self,
        source: str,
        sample_rate: int = SAMPLE_RATE,
        silence_s: float = 0.35,
        max_utterance_s: float = 15.0,
        pre_roll_s: float = 0.3,
        post_roll_s: float = 0.2,
        threshold: float = 0.5,
        neg_threshold: float = 0.35,
        min_speech_s: float = 0.25,
        min_pause_s: float = 0.1,
        vad: StreamingVad | None = None,
        on_provisional: Callable[[Utterance], None] | None = None,
        on_partial: Callable[[Utterance], None] | None = None,
        partial_every_s: float = 0.25,
    ) -> None:
        if sample_rate != SAMPLE_RATE:
            raise ValueError("the segmenter takes 16 kHz audio; resample before feeding it")
        self.source = source
        self.silence_windows = max(1, round(silence_s * SAMPLE_RATE / WINDOW))
        self.max_windows = max(2, round(max_utterance_s * SAMPLE_RATE / WINDOW))
        self.pre_roll_windows = round(pre_roll_s * SAMPLE_RATE / WINDOW)
        self.post_roll_windows = round(post_roll_s * SAMPLE_RATE / WINDOW)
        self.min_speech_windows = max(1, round(min_speech_s * SAMPLE_RATE / WINDOW))
        self.min_pause_windows = max(1, round(min_pause_s * SAMPLE_RATE / WINDOW))
        self.threshold = threshold
        self.neg_threshold = neg_threshold
        self._vad = vad or StreamingVad()
        self._on_provisional = on_provisional
        self._on_partial = on_partial
        self.partial_windows = max(1, round(partial_every_s * SAMPLE_RATE / WINDOW))
        self._since_partial = 0
        self._pending = np.zeros(0, dtype=np.float32)  # < one window, waiting for more
        self._clock = 0.0  # session time of the first sample in _pending
        self._pre: deque[tuple[float, np.ndarray]] = deque(maxlen=max(1, self.pre_roll_windows))
        # the utterance in progress: its windows, their start times and speech flags
        self._windows: list[np.ndarray] = []
        self._times: list[float] = []
        self._speech: list[bool] = []
        self._silent_run = 0

    @property
    def in_speech(self) -> bool:
        return bool(self._windows)

    def feed(self, block: np.ndarray, t: float | None = None) -> list[Utterance]:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if t is not None:
            self._clock = t - len(self._pending) / SAMPLE_RATE
        audio = np.concatenate([self._pending, block]) if len(self._pending) else block
        n = len(audio) // WINDOW
        self._pending = audio[n * WINDOW :].copy()
        if n == 0:
            return []
        probs = self._vad.process(audio[: n * WINDOW])
        out: list[Utterance] = []
        for i, p in enumerate(probs):
            w = audio[i * WINDOW : (i + 1) * WINDOW]
            u = self._step(w, self._clock + i * WINDOW / SAMPLE_RATE, float(p))
            if u is not None:
                out.append(u)
        self._clock += n * WINDOW / SAMPLE_RATE
        return out

    def flush(self) -> list[Utterance]:
        """End of stream: process the last partial window and return the utterance in progress."""
        out: list[Utterance] = []
        if len(self._pending):
            pad = np.zeros(WINDOW - len(self._pending), dtype=np.float32)
            real = len(self._pending)
            t_pad = self._clock
            out += self.feed(pad)
            # the zero padding is not audio we heard: trim it from the utterance in progress
            if self._windows and self._times[-1] == t_pad:
                self._windows[-1] = self._windows[-1][:real]
        if self._windows:
            u = self._emit(len(self._windows), keep_trailing=True)
            if u is not None:
                out.append(u)
        self._pending = np.zeros(0, dtype=np.float32)
        self._vad.reset()
        self._pre.clear()
        return out

    # -- internals ---------------------------------------------------------

    def _step(self, w: np.ndarray, t: float, p: float) -> Utterance | None:
        if not self._windows:
            if p >= self.threshold:
                for pt, pw in self._pre:
                    self._windows.append(pw)
                    self._times.append(pt)
                    self._speech.append(False)
                self._pre.clear()
                self._windows.append(w)
                self._times.append(t)
                self._speech.append(True)
                self._silent_run = 0
                self._since_partial = 0
            elif self.pre_roll_windows:
                self._pre.append((t, w))
            return None
        speech = p >= self.neg_threshold if self._speech[-1] else p >= self.threshold
        self._windows.append(w)
        self._times.append(t)
        self._speech.append(speech)
        self._silent_run = 0 if speech else self._silent_run + 1
        if self._silent_run >= self.silence_windows:
            return self._emit(len(self._windows))
        if (
            self._on_provisional is not None
            and self._silent_run == max(1, self.post_roll_windows)
            and sum(self._speech) >= self.min_speech_windows
        ):
            self._on_provisional(self._utterance(self._windows, self._times, self._speech))
        if len(self._windows) >= self.max_windows:
            return self._emit(self._cut_point(), split=True)
        if self._on_partial is not None:
            self._offer_partial()
        return None

    def _offer_partial(self) -> None:
        self._since_partial += 1
        if self._since_partial < self.partial_windows or self._silent_run:
            return
        if sum(self._speech) < self.min_speech_windows:
            return
        self._since_partial = 0
        audio = np.concatenate(self._windows).astype(np.float32, copy=False)
        start = self._times[0]
        assert self._on_partial is not None
        self._on_partial(Utterance(self.source, start, start + len(audio) / SAMPLE_RATE, audio))

    def _cut_point(self) -> int:
        """Index after which to cut an over-long utterance: the middle of its last pause."""
        run = 0
        best = -1
        for i in range(len(self._speech) - 1, self.min_speech_windows, -1):
            if not self._speech[i]:
                run += 1
                if run >= self.min_pause_windows:
                    # extend the pause backwards to find its start, cut in its middle
                    start = i
                    while start > 0 and not self._speech[start - 1]:
                        start -= 1
                    end = i + run
                    best = (start + end) // 2
                    break
            else:
                run = 0
        return best if best > 0 else len(self._windows)

    def _emit(self, upto: int, split: bool = False, keep_trailing: bool = False) -> Utterance | None:
        windows, times, speech = self._windows[:upto], self._times[:upto], self._speech[:upto]
        rest = (self._windows[upto:], self._times[upto:], self._speech[upto:])
        if split:
            self._windows, self._times, self._speech = rest  # slices: already fresh lists
            self._silent_run = 0
            for s in reversed(self._speech):
                if s:
                    break
                self._silent_run += 1
            if self._windows and not any(self._speech):
                # only silence left over: it becomes pre-roll
                for pt, pw in zip(self._times, self._windows):
                    self._pre.append((pt, pw))
                self._windows, self._times, self._speech = [], [], []
        else:
            self._windows, self._times, self._speech = [], [], []
            self._silent_run = 0
            # the silence that ended this utterance is the next one's pre-roll
            for pt, pw, ps in zip(times, windows, speech):
                if not ps:
                    self._pre.append((pt, pw))
        if sum(speech) < self.min_speech_windows:
            return None
        return self._utterance(windows, times, speech, keep_trailing)

    def _utterance(
        self, windows: list[np.ndarray], times: list[float], speech: list[bool], keep_trailing: bool = False
    ) -> Utterance:
        if not keep_trailing:
            last = max(i for i, s in enumerate(speech) if s)
            stop = min(len(windows), last + 1 + self.post_roll_windows)
            windows, times = windows[:stop], times[:stop]
        audio = np.concatenate(windows).astype(np.float32, copy=False)
        start = times[0]
        return Utterance(self.source, start, start + len(audio) / SAMPLE_RATE, audio)
