from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from annotator.audio.decode import decode_file
from annotator.audio.recording import AudioRecording, recording_path
from annotator.errors import AudioError
from tests.helpers.process import running


def tone(seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_blocks_written_incrementally_read_back_as_one_signal(tmp_path: Path) -> None:
    path = tmp_path / "s.flac"
    rec = AudioRecording(path)
    signal = tone(1.5)
    for block in np.array_split(signal, 47):
        rec.write(block)
    rec.close()
    rec.close()  # idempotent
    data, rate = soundfile.read(str(path), dtype="float32")
    assert rate == 16_000
    assert len(data) == len(signal) == rec.samples
    assert np.max(np.abs(data - signal)) < 1e-3  # 16-bit quantisation only


def test_a_killed_writer_leaves_a_readable_file_up_to_its_last_flush(tmp_path: Path) -> None:
    path = tmp_path / "killed.flac"
    script = f"""
import sys, numpy as np
from pathlib import Path
from annotator.audio.decode import decode_file
from annotator.audio.recording import AudioRecording
rec = AudioRecording(Path({str(path)!r}), flush_interval_s=0.0)
block = (0.3 * np.sin(np.arange(1600) / 5)).astype(np.float32)
for i in range(20):
    rec.write(block)
print("written", flush=True)
sys.stdin.readline()
"""
    with running([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written"
        child.kill()
    # the path a later re-transcription takes (libsndfile): the length is unknown, the audio is there
    data = decode_file(path)
    # everything up to the last flush, less at most one FLAC frame the encoder still held (4096 samples)
    assert len(data) >= 20 * 1600 - 4096


def test_second_source_gets_its_own_file() -> None:
    base = Path("/x/2026-11-25_10-00-00.flac")
    assert recording_path(base, "You", first=True) == base
    assert recording_path(base, "Them", first=False) == Path("/x/2026-11-25_10-00-00.them.flac")


def test_an_unwritable_place_is_one_clear_audio_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(AudioError, match=r"blocker|file.*cannot save the session's audio"):
        AudioRecording(blocker / "s.flac")
