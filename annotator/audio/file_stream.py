"""A fake input device: an audio file played into a ``Capture`` callback, for
replaying a saved recording or an audio file through the live path, and for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from annotator.audio.capture import InputStreamLike, StreamCallback, StreamFactory
from annotator.errors import AudioError


class FileInputStream:
    """A fake input device that plays an audio file into a ``Capture`` callback.

    It opens at the file's own rate and channel count (or ``samplerate`` /
    ``channels`` to convert first, e.g. to simulate a 48 kHz stereo USB mic)
    and calls the callback with ``blocksize`` frames from its own thread,
    paced at ``speed`` x real time (``None`` = as fast as possible).
    ``fail_after_s`` makes the "device" vanish after that much audio, like an
    unplugged microphone. ``FileInputStream.factory(path, ...)`` gives a
    ``stream_factory`` for ``Capture``; ``finished`` is set when the file has
    been played out, and ``on_finished`` (if given) is called then, from the
    stream's thread.
    """

    def __init__(
        self,
        path: str | Path,
        callback: StreamCallback,
        *,
        samplerate: int | None = None,
        channels: int | None = None,
        blocksize: int | None = None,
        speed: float | None = 1.0,
        fail_after_s: float | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        from annotator.audio.decode import read_native
        from annotator.errors import InputError

        try:
            data, rate = read_native(path)
        except InputError as err:  # Capture reports AudioError as it is: the sentence names the file
            raise AudioError(str(err)) from err
        if channels is not None and channels != data.shape[1]:
            mono = data.mean(axis=1, keepdims=True)
            data = np.repeat(mono, channels, axis=1)
        if samplerate is not None and samplerate != rate:
            data = np.asarray(soxr.resample(data, rate, samplerate), dtype=np.float32)
            rate = samplerate
        self.samplerate = float(rate)
        self.channels = int(data.shape[1])
        self._data = np.ascontiguousarray(data, dtype=np.float32)
        self._callback = callback
        self.blocksize = blocksize or int(rate * 0.02)
        self.speed = speed
        self._fail_at = None if fail_after_s is None else int(fail_after_s * rate)
        self._stop = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()
        self._on_finished = on_finished
        self.active = False

    @classmethod
    def factory(cls, path: str | Path, **kwargs: Any) -> StreamFactory:
        """A ``stream_factory`` for ``Capture`` that plays ``path`` (``device`` is ignored)."""

        def make(device: Any, callback: StreamCallback) -> InputStreamLike:
            return cls(path, callback, **kwargs)

        return make

    @property
    def duration_s(self) -> float:
        return len(self._data) / self.samplerate

    def start(self) -> None:
        self.active = True
        self._thread = threading.Thread(target=self._play, name="file-input-stream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self.active = False

    def close(self) -> None:
        self.stop()

    def pause(self) -> None:
        """Hold the playback where it is (no more callbacks until ``resume``)."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def _play(self) -> None:
        pos = 0
        n = len(self._data)
        # pacing is anchored where the speed last changed, so ``speed`` may be changed while playing
        anchor_t, anchor_pos, anchor_speed = time.monotonic(), 0, self.speed
        while pos < n and not self._stop.is_set():
            if not self._running.is_set():
                while not self._running.wait(0.05) and not self._stop.is_set():
                    pass
                anchor_t, anchor_pos = time.monotonic(), pos  # the pause is not time to catch up on
                continue
            if self._fail_at is not None and pos >= self._fail_at:
                self.active = False  # the device vanished: no more callbacks
                return
            block = self._data[pos : pos + self.blocksize]
            self._callback(block, len(block), None, None)
            pos += len(block)
            speed = self.speed
            if speed != anchor_speed:
                anchor_t, anchor_pos, anchor_speed = time.monotonic(), pos, speed
            if speed is not None:
                due = anchor_t + (pos - anchor_pos) / self.samplerate / speed
                self._stop.wait(max(0.0, due - time.monotonic()))
        self.finished.set()
        if self._on_finished is not None:
            self._on_finished()
