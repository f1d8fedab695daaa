"""One utterance to text with the real offline model: silence and noise give none."""

from __future__ import annotations

import numpy as np
import pytest
from faster_whisper import WhisperModel

from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.utterance import transcribe_audio


@pytest.mark.parametrize("level", [0.0, 0.002, 0.02, 0.1])
def test_no_text_from_silence_or_noise(whisper_model: WhisperModel, level: float) -> None:
    rng = np.random.default_rng(11)
    audio = (rng.standard_normal(16000 * 4) * level).astype(np.float32)
    assert transcribe_audio(whisper_model, audio, TranscribeOptions()) == ""
    # with the energy gate off, the model's own signals still have to catch it
    assert transcribe_audio(whisper_model, audio, TranscribeOptions(min_rms_dbfs=-200.0)) == ""
