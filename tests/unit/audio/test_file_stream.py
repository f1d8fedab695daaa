"""The file device: an audio file played into a stream callback, paced like a real input."""

from __future__ import annotations

import threading
import time

import numpy as np

from annotator.audio.file_stream import FileInputStream
from tests.helpers.whisper import ljspeech_clips


def test_replay_speed_paces_the_file_and_can_change_while_playing() -> None:
    path, _ = ljspeech_clips()[0]  # 1.9 s
    got: list[int] = []
    half = threading.Event()

    def callback(block: np.ndarray, frames: int, time_info: object, status: object) -> None:
        got.append(frames)
        if sum(got) >= 11025:  # 0.5 s at 22.05 kHz
            half.set()

    stream = FileInputStream(path, callback, speed=1.0)
    start = time.monotonic()
    stream.start()
    assert half.wait(10)
    stream.speed = None  # "max" from here on
    assert stream.finished.wait(10)
    elapsed = time.monotonic() - start
    assert sum(got) == int(stream.duration_s * stream.samplerate)
    assert 0.4 < elapsed < stream.duration_s  # the first half paced at 1x, the rest at once


def test_a_paused_file_holds_its_place_and_resumes_there() -> None:
    path, _ = ljspeech_clips()[0]
    got: list[int] = []
    paused_at = threading.Event()
    stream: FileInputStream

    def callback(block: np.ndarray, frames: int, time_info: object, status: object) -> None:
        got.append(frames)
        if len(got) == 5:
            stream.pause()  # as the window's Pause does, from another thread
            paused_at.set()

    stream = FileInputStream(path, callback, speed=None)
    stream.start()
    assert paused_at.wait(10)
    assert stream.paused and not stream.finished.wait(0.3)  # nothing more while paused
    assert len(got) == 5
    stream.resume()
    assert stream.finished.wait(10)
    assert sum(got) == int(stream.duration_s * stream.samplerate)  # every frame, once
    stream.close()
