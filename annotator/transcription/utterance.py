"""One utterance to text: the energy gate, faster-whisper with the live
settings, then the segment filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.models import Utterance
from annotator.transcription.filters import TranscribeOptions, rms_dbfs, segment_text
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
        **vocabulary_kwargs(options),
    )
    kept = [text for text in (segment_text(seg, options) for seg in segments) if text]
    return snap_to_vocabulary(" ".join(kept), options.vocabulary)


def transcribe_utterance(model: WhisperModel, utterance: Utterance, options: TranscribeOptions) -> str:
    return transcribe_audio(model, utterance.audio, options)
