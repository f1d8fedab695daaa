from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from annotator.audio.playback import PAD_S, LinePlayer, line_audio
from annotator.errors import AudioError

RATE = 16000


class Speaker:
    """An output device that keeps what it was asked to play."""

    def __init__(self) -> None:
        self.played: list[tuple[Any, int]] = []
        self.stops = 0

    def play(self, data: Any, samplerate: int) -> None:
        self.played.append((data, samplerate))

    def stop(self) -> None:
        self.stops += 1


def ramp_flac(path: Path, seconds: float) -> Path:
    """A FLAC whose sample value says where in the file it sits (so a stretch can be checked)."""
    n = int(seconds * RATE)
    soundfile.write(str(path), (np.arange(n) / n * 0.9).astype(np.float32), RATE, format="FLAC")
    return path


def test_plays_exactly_the_lines_stretch(tmp_path: Path) -> None:
    audio = ramp_flac(tmp_path / "s.flac", 10.0)
    speaker = Speaker()
    length = LinePlayer(speaker).play(audio, 4.0, 6.0)
    ((data, rate),) = speaker.played
    assert rate == RATE and length == pytest.approx(2.0 + 2 * PAD_S, abs=1e-3)
    assert data[0] == pytest.approx((4.0 - PAD_S) / 10 * 0.9, abs=1e-3)  # FLAC is lossless up to its bit depth
    assert data[-1] == pytest.approx((6.0 + PAD_S) / 10 * 0.9, abs=1e-3)
    assert speaker.stops == 1  # a new line stops the one before


def test_a_line_past_the_end_of_the_audio_is_a_sentence(tmp_path: Path) -> None:
    audio = ramp_flac(tmp_path / "s.flac", 2.0)
    with pytest.raises(AudioError, match=r"holds no audio at 30\.0 s"):
        LinePlayer(Speaker()).play(audio, 30.0, 32.0)
    (tmp_path / "bad.flac").write_bytes(b"not audio")
    with pytest.raises(AudioError, match="cannot read the session's audio"):
        LinePlayer(Speaker()).play(tmp_path / "bad.flac", 0.0, 1.0)


def test_line_audio_finds_the_sources_recording(tmp_path: Path) -> None:
    journal = tmp_path / "2026-01-01_10-00-00.jsonl"
    assert line_audio(journal, "You") is None
    first = ramp_flac(tmp_path / "2026-01-01_10-00-00.flac", 1.0)
    them = ramp_flac(tmp_path / "2026-01-01_10-00-00.them.flac", 1.0)
    assert line_audio(journal, "You") == first
    assert line_audio(journal, "Them") == them
