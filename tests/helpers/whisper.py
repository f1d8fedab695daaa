"""The real offline whisper model, loaded once per test session.

Use it from a test directory's conftest.py::

    from tests.helpers.whisper import whisper_model  # noqa: F401  (a fixture)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from faster_whisper import WhisperModel

from annotator.audio.decode import decode_file

DATA = Path(__file__).resolve().parent.parent / "data"
LJSPEECH = DATA / "ljspeech"


@pytest.fixture(scope="session")
def whisper_model() -> WhisperModel:
    """faster-whisper with the bundled offline tiny.en, int8 on CPU."""
    from annotator.transcription.model import load_model

    return load_model(None)


def ljspeech_clips() -> list[tuple[Path, str]]:
    """(wav path, reference transcript) of the LJ Speech clips in tests/data."""
    manifest = json.loads((LJSPEECH / "manifest.json").read_text())
    return [(LJSPEECH / s["file"], s["transcript"]) for s in manifest["samples"]]


def speech_with_gaps(gap_s: float = 1.0) -> tuple[np.ndarray, list[tuple[float, float]], list[str]]:
    """The LJ clips joined by ``gap_s`` of silence (and ``gap_s`` before and after):
    16 kHz audio, each clip's (start, end) in seconds, and the references."""
    gap = np.zeros(int(gap_s * 16000), dtype=np.float32)
    parts = [gap]
    spans: list[tuple[float, float]] = []
    refs: list[str] = []
    t = gap_s
    for path, ref in ljspeech_clips():
        audio = decode_file(path)
        parts += [audio, gap]
        spans.append((t, t + len(audio) / 16000))
        refs.append(ref)
        t += len(audio) / 16000 + gap_s
    return np.concatenate(parts), spans, refs


def normalise(text: str) -> str:
    """Lower case, letters, digits and spaces only: for word error rates."""
    keep = "".join(c if c.isalnum() or c.isspace() else " " for c in text.lower())
    return " ".join(keep.split())
