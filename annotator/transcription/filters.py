"""Decoding settings and the filters that keep what Whisper says on silence or
noise out of the transcript. Pure: testable without a model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.config.schema import TranscriptionConfig

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

    ``vocabulary``: terms the speakers are expected to say (names, companies,
    technologies), given to the model as described in ``vocabulary_prompt``;
    ``vocabulary_mode`` is how ("hotwords", "prompt" or "both"; measured in
    benchmarks/README.md).
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
    vocabulary: tuple[str, ...] = ()
    vocabulary_mode: str = "hotwords"


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


def options_for(t: TranscriptionConfig) -> TranscribeOptions:
    """The decoding settings of a ``[transcription]`` table (beam, language, vocabulary)."""
    return TranscribeOptions(beam_size=t.beam_size, language=t.language, vocabulary=t.vocabulary)


def _word_key(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def collapse_repeats(text: str, min_words: int = 3) -> str:
    """``text`` with a run of ``min_words`` or more words that the model wrote twice in a row kept once.

    Whisper can loop on a short utterance, more so with hotwords: "And so my fellow Americans. And so my
    fellow Americans." for a sentence said once (jfk.flac with a vocabulary). Words compare without case
    and punctuation; shorter repeats ("very, very", "no, no") are speech and stay."""
    words = text.split()
    changed = True
    while changed:
        changed = False
        keys = [_word_key(w) for w in words]
        for size in range(len(words) // 2, min_words - 1, -1):
            for i in range(len(words) - 2 * size + 1):
                if keys[i : i + size] == keys[i + size : i + 2 * size] and any(keys[i : i + size]):
                    del words[i + size : i + 2 * size]
                    changed = True
                    break
            if changed:
                break
    return " ".join(words)
