"""Audio files that are not audio: one sentence that says what is wrong, and nothing else on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.audio.capture import FileInputStream
from annotator.audio.decode import decode_file, read_native
from annotator.errors import AudioError, InputError

DATA = Path(__file__).resolve().parent.parent.parent / "data"


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, what the message must say)."""
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(bytes(range(256)) * 80)
    text = tmp_path / "notes.mp3"  # libsndfile hands a .mp3 to libmpg123, which prints "Note: ..." on stderr
    text.write_text("hello there, this is not audio\n", encoding="utf-8")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    folder = tmp_path / "folder.wav"
    folder.mkdir()
    return {
        "garbage": (garbage, f"{garbage} is not an audio file annotator can read (invalid data found when processing input)."),
        "text": (text, f"{text} is not an audio file annotator can read (invalid data found when processing input)."),
        "empty": (empty, f"{empty} is empty (0 bytes): there is no audio in it."),
        "directory": (folder, f"{folder} is a directory, not an audio file."),
        "missing": (tmp_path / "gone.wav", f"{tmp_path / 'gone.wav'}: no such audio file."),
    }


CASES = ["garbage", "text", "empty", "directory", "missing"]


@pytest.mark.parametrize("case", CASES)
def test_decode_says_what_is_wrong(tmp_path: Path, case: str) -> None:
    path, message = bad_files(tmp_path)[case]
    with pytest.raises(InputError) as err:
        decode_file(path)
    assert str(err.value) == message


@pytest.mark.parametrize("case", CASES)
def test_as_an_input_device_the_same_sentence(tmp_path: Path, case: str) -> None:
    path, message = bad_files(tmp_path)[case]
    with pytest.raises(AudioError) as err:
        FileInputStream(path, lambda *a: None)
    assert str(err.value) == message
    assert "input device" not in str(err.value)


@pytest.mark.parametrize("command", ["transcribe", "analyze"])
@pytest.mark.parametrize("case", CASES)
def test_cli_prints_one_clean_line(tmp_path: Path, case: str, command: str) -> None:
    path, message = bad_files(tmp_path)[case]
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = subprocess.run([sys.executable, "-m", "annotator", command, str(path)], capture_output=True, text=True, check=False,
                          env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr == f"annotator: {message}\n"  # no "[Errno ...]", no libmpg123 "Note: ..."
    assert done.stdout == ""


def test_real_audio_keeps_its_own_rate_and_channels() -> None:
    data, rate = read_native(DATA / "jfk.flac")
    assert rate == 44100 and data.ndim == 2 and len(data) > rate


@pytest.mark.parametrize("command", ["transcribe", "analyze"])
def test_a_silent_file_says_no_speech_was_heard(tmp_path: Path, command: str) -> None:
    import numpy as np
    import soundfile

    silent = tmp_path / "silence.wav"
    soundfile.write(str(silent), np.zeros(16000 * 10, dtype=np.float32), 16000)
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = subprocess.run([sys.executable, "-m", "annotator", command, str(silent)], capture_output=True, text=True, check=False,
                          env=env, timeout=120)
    assert done.returncode == (0 if command == "transcribe" else 2)
    assert done.stdout == ""
    assert f"no speech was heard in {silent}" in done.stderr or f"{silent}: no speech was heard in it" in done.stderr
    assert "too quiet to transcribe" in done.stderr
