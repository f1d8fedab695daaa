"""One utterance to text: the energy gate, faster-whisper with the live
settings, then the segment filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.models import Utterance
from annotator.transcription.filters import TranscribeOptions, rms_dbfs, segment_text

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


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
