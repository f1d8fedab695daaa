"""Capture through the injected device: a recorded file played in real-time blocks."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from faster_whisper import WhisperModel

from annotator.audio.capture import Capture, meter_level
from annotator.audio.decode import decode_file
from annotator.audio.file_stream import FileInputStream
from annotator.audio.segmenter import Segmenter
from annotator.errors import AudioError
from annotator.transcription.files import transcribe_file
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.utterance import transcribe_utterance
from tests.helpers.whisper import DATA, ljspeech_clips, normalise

JFK = DATA / "jfk.flac"


class Sink:
    """Collects what a Capture delivers."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []
        self.levels: list[float] = []
        self.errors: list[AudioError] = []
        self.failed = threading.Event()

    def on_audio(self, block: np.ndarray) -> None:
        assert block.dtype == np.float32 and block.ndim == 1
        self.blocks.append(block)

    def on_error(self, err: AudioError) -> None:
        self.errors.append(err)
        self.failed.set()

    @property
    def audio(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, dtype=np.float32)


def capture_text(audio: np.ndarray, model: WhisperModel) -> str:
    seg = Segmenter("You")
    utts = seg.feed(audio) + seg.flush()
    return " ".join(transcribe_utterance(model, u, TranscribeOptions()) for u in utts)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_stereo_device_at_native_rate_gives_the_file_text(whisper_model: WhisperModel, rate: int) -> None:
    path, _ = ljspeech_clips()[0]
    sink = Sink()
    stream: list[FileInputStream] = []

    def factory(device, callback):  # type: ignore[no-untyped-def]
        s = FileInputStream(path, callback, samplerate=rate, channels=2, blocksize=rate // 100, speed=1.0)
        stream.append(s)
        return s

    cap = Capture(None, "You", sink.on_audio, sink.levels.append, sink.on_error, stream_factory=factory)
    assert cap.start()
    assert stream[0].samplerate == rate and stream[0].channels == 2
    assert stream[0].finished.wait(30)
    cap.stop()
    assert not sink.errors
    expected = decode_file(path)
    assert len(sink.audio) == pytest.approx(len(expected), abs=16)
    n = min(len(sink.audio), len(expected))
    assert np.corrcoef(sink.audio[:n], expected[:n])[0, 1] > 0.99
    assert max(sink.levels) > 0.3 and min(sink.levels) < max(sink.levels)
    file_text = " ".join(c.text for c in transcribe_file(path, whisper_model))
    assert normalise(capture_text(sink.audio, whisper_model)) == normalise(file_text)


def test_jfk_native_44k_stereo_as_fast_as_possible(whisper_model: WhisperModel) -> None:
    sink = Sink()
    stream: list[FileInputStream] = []

    def factory(device, callback):  # type: ignore[no-untyped-def]
        stream.append(FileInputStream(JFK, callback, speed=None))
        return stream[0]

    cap = Capture("file", "Them", sink.on_audio, None, sink.on_error, stream_factory=factory)
    assert cap.start()
    assert (stream[0].samplerate, stream[0].channels) == (44100, 2)
    assert stream[0].finished.wait(30)
    cap.stop()
    text = normalise(capture_text(sink.audio, whisper_model))
    assert "ask not what your country can do for you" in text


def test_device_vanishing_mid_recording_keeps_what_was_captured() -> None:
    path, _ = ljspeech_clips()[1]
    sink = Sink()
    factory = FileInputStream.factory(path, speed=4.0, fail_after_s=1.0)
    cap = Capture("USB mic", "You", sink.on_audio, None, sink.on_error, stream_factory=factory, stall_s=0.4)
    assert cap.start()
    assert sink.failed.wait(10)
    assert len(sink.errors) == 1
    msg = str(sink.errors[0])
    assert "USB mic" in msg and "kept" in msg
    assert len(sink.audio) == pytest.approx(16000, abs=800)  # the second before it vanished
    assert not cap.running
    cap.stop()  # stopping again is harmless


def test_missing_device_is_one_sentence() -> None:
    sink = Sink()
    cap = Capture("no such microphone 4711", "You", sink.on_audio, None, sink.on_error)
    assert cap.start() is False
    assert len(sink.errors) == 1
    assert "no such microphone 4711" in str(sink.errors[0])
    with pytest.raises(AudioError):
        Capture("no such microphone 4711", "You", sink.on_audio).start()


def test_refused_open_is_reported_not_raised() -> None:
    def refusing(device, callback):  # type: ignore[no-untyped-def]
        raise AudioError(f"Input device {device!r} refused 8000 Hz.")

    sink = Sink()
    assert Capture("old mic", "You", sink.on_audio, None, sink.on_error, stream_factory=refusing).start() is False
    assert "refused" in str(sink.errors[0])


def test_meter_level_scale() -> None:
    assert meter_level(np.zeros(100, dtype=np.float32)) == 0.0
    assert meter_level(np.ones(100, dtype=np.float32)) == pytest.approx(1.0)
    assert meter_level(np.full(100, 0.01, dtype=np.float32)) == pytest.approx(1 / 3, abs=0.01)


def test_unreadable_file_device(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "junk.wav"
    bad.write_text("junk")
    sink = Sink()
    cap = Capture(None, "You", sink.on_audio, None, sink.on_error, stream_factory=FileInputStream.factory(bad))
    assert cap.start() is False
    assert "junk.wav" in str(sink.errors[0])


def test_device_index_that_does_not_exist() -> None:
    sink = Sink()
    assert Capture(4711, "You", sink.on_audio, None, sink.on_error).start() is False
    assert "4711" in str(sink.errors[0]) and "annotator devices" in str(sink.errors[0])
