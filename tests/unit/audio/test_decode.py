"""Audio files that are not audio: one sentence that says what is wrong, and nothing else on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.audio.decode import decode_file, read_native
from annotator.audio.file_stream import FileInputStream
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
        "garbage": (
            garbage,
            f"{garbage} is not an audio file annotator can read (invalid data found when processing input).",
        ),
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
    done = subprocess.run(
        [sys.executable, "-m", "annotator", command, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
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
    done = subprocess.run(
        [sys.executable, "-m", "annotator", command, str(silent)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    assert done.returncode == (0 if command == "transcribe" else 2)
    assert done.stdout == ""
    assert f"no speech was heard in {silent}" in done.stderr or f"{silent}: no speech was heard in it" in done.stderr
    assert "too quiet to transcribe" in done.stderr


SPEECH = DATA / "ljspeech" / "LJ001-0002.wav"
SAME_SPEECH = [SPEECH, DATA / "formats" / "LJ001-0002.mp3", DATA / "formats" / "LJ001-0002.ogg"]


@pytest.fixture
def without_pyav(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import av`` fails, as in the bundle, which leaves PyAV and FFmpeg out."""
    monkeypatch.setitem(sys.modules, "av", None)


@pytest.mark.parametrize("path", SAME_SPEECH, ids=lambda p: p.suffix)
def test_wav_mp3_and_ogg_decode_without_pyav_to_the_same_speech(without_pyav: None, path: Path) -> None:
    import numpy as np

    reference = decode_file(SPEECH)
    audio = decode_file(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - len(reference)) <= 16_000 * 0.06  # mp3 and vorbis pad a frame or so
    n = min(len(audio), len(reference))
    # lossy codecs shift the waveform by their delay: compare the loudness envelope (20 ms frames)
    env = [np.sqrt(np.mean(x[: n // 320 * 320].reshape(-1, 320) ** 2, axis=1)) for x in (audio, reference)]
    assert np.corrcoef(*env)[0, 1] > 0.95


def test_stereo_flac_decodes_without_pyav_to_16_khz_mono(without_pyav: None) -> None:
    audio = decode_file(DATA / "jfk.flac")  # 44.1 kHz stereo, 11 s
    assert audio.ndim == 1 and abs(len(audio) / 16_000 - 11.0) < 0.05
    assert 0.05 < float(abs(audio).max()) <= 1.0


def test_without_pyav_another_format_is_named_in_one_sentence(without_pyav: None, tmp_path: Path) -> None:
    m4a = tmp_path / "call.m4a"
    m4a.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))
    with pytest.raises(InputError) as err:
        decode_file(m4a)
    assert str(err.value) == (
        f"{m4a} is not an audio file annotator can read (this build reads WAV, FLAC, Ogg (Vorbis, Opus), MP3 "
        "and AIFF; convert it to one of those)."
    )


def test_without_pyav_a_damaged_wav_says_what_libsndfile_found(without_pyav: None, tmp_path: Path) -> None:
    bad = tmp_path / "cut.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + bytes(64))
    with pytest.raises(InputError) as err:
        decode_file(bad)
    assert str(err.value).startswith(f"{bad} is not an audio file annotator can read (")
    assert "\n" not in str(err.value)


def test_mp3_keeps_its_own_rate() -> None:
    data, rate = read_native(DATA / "formats" / "LJ001-0002.mp3")
    assert rate == 22050 and data.shape[1] == 1 and abs(len(data) / rate - 1.9) < 0.1
