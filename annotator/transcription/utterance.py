"""One utterance to text: the energy gate, faster-whisper with the live
settings, then the segment filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.models import Utterance
from annotator.transcription.filters import TranscribeOptions, collapse_repeats, rms_dbfs, segment_text
from annotator.transcription.vocabulary import snap_to_vocabulary, vocabulary_prompt

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


def vocabulary_kwargs(options: TranscribeOptions) -> dict[str, str]:
    """The keyword arguments that give faster-whisper the session's vocabulary (none when empty)."""
    if not options.vocabulary:
        return {}
    text = vocabulary_prompt(options.vocabulary)
    if options.vocabulary_mode == "prompt":
        return {"initial_prompt": text}
    if options.vocabulary_mode == "both":
        return {"hotwords": text, "initial_prompt": text}
    return {"hotwords": text}


def _loud_enough(audio: np.ndarray, options: TranscribeOptions) -> bool:
    """Whether ``audio`` is long and loud enough to be worth a transcription."""
    return len(audio) >= options.min_duration_s * SAMPLE_RATE and rms_dbfs(audio) >= options.min_rms_dbfs


def _segments(
    model: WhisperModel, audio: np.ndarray, options: TranscribeOptions, *, word_timestamps: bool = False
) -> Iterable[Any]:
    """faster-whisper's segments of one utterance, with the session's options (the language fixed to
    English for an English-only model, no conditioning on earlier text, no VAD of its own)."""
    language = options.language
    if not model.model.is_multilingual:
        language = "en"
    segments: Iterable[Any]
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=options.beam_size,
        temperature=list(options.temperature),
        condition_on_previous_text=False,
        vad_filter=False,
        without_timestamps=True,
        word_timestamps=word_timestamps,
        no_speech_threshold=options.no_speech_threshold,
        log_prob_threshold=options.log_prob_threshold,
        compression_ratio_threshold=options.compression_ratio_threshold,
        **vocabulary_kwargs(options),
    )
    return segments


def transcribe_audio(model: WhisperModel, audio: np.ndarray, options: TranscribeOptions) -> str:
    """The text of one utterance (16 kHz mono float32), "" when the filters judge it not speech."""
    if not _loud_enough(audio, options):
        return ""
    kept = [text for text in (segment_text(seg, options) for seg in _segments(model, audio, options)) if text]
    return snap_to_vocabulary(collapse_repeats(" ".join(kept)), options.vocabulary)


def transcribe_utterance(model: WhisperModel, utterance: Utterance, options: TranscribeOptions) -> str:
    return transcribe_audio(model, utterance.audio, options)


def transcribe_words(model: WhisperModel, audio: np.ndarray, options: TranscribeOptions) -> list[tuple[float, str]]:
    """The words of one utterance as (start in seconds from the audio's start, word with its leading space),
    through the same filters as ``transcribe_audio``; [] when they judge it not speech. Word timestamps
    cost an alignment pass: only for an utterance to be split at a change of speaker."""
    if not _loud_enough(audio, options):
        return []
    words: list[tuple[float, str]] = []
    for seg in _segments(model, audio, options, word_timestamps=True):
        if segment_text(seg, options):
            words += [(float(w.start), str(w.word)) for w in seg.words or ()]
    return words


def split_words(words: list[tuple[float, str]], at: float, reach_s: float = 0.6) -> int:
    """Where to cut ``words`` for a change of voice found ``at`` seconds: the index of the first word of
    the second speaker. Among the word starts within ``reach_s`` of ``at``, the one after the longest gap
    (speakers leave one, however short); 0 when none is near (no cut)."""
    best, gap = 0, -1.0
    for i in range(1, len(words)):
        start = words[i][0]
        if abs(start - at) <= reach_s and start - words[i - 1][0] > gap:
            best, gap = i, start - words[i - 1][0]
    return best


def split_utterance(
    model: WhisperModel, utterance: Utterance, changes: Sequence[float], options: TranscribeOptions
) -> list[tuple[float, float, str]]:
    """``utterance`` transcribed in parts, cut at the word nearest each change of speaker (session times
    ``changes``): [(start, end, text)] in session seconds; fewer parts where no word boundary is near."""
    words = transcribe_words(model, utterance.audio, options)
    cuts = sorted({cut for at in changes if (cut := split_words(words, at - utterance.start))})
    bounds = [0, *cuts, len(words)]
    times = [utterance.start, *(utterance.start + words[c][0] for c in cuts), utterance.end]
    parts = []
    for i in range(len(bounds) - 1):
        text = snap_to_vocabulary("".join(w for _, w in words[bounds[i] : bounds[i + 1]]).strip(), options.vocabulary)
        if text:
            parts.append((times[i], times[i + 1], text))
    return parts
