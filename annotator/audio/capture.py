"""Audio capture: an input device at its native rate -> 16 kHz mono float32.

``Capture`` opens a stream through an injected factory (sounddevice by
default: ``open_sounddevice_stream``; ``file_stream.FileInputStream`` replays
a file through the same code), mixes each block to mono, resamples it with
soxr's streaming resampler and hands it to ``on_audio``; ``on_level`` gets a
meter value in 0..1 (RMS mapped from -60..0 dBFS). Faults (no device, unknown
device, refused rate, a device that stops delivering audio) become one
``AudioError`` sentence through ``on_error``; audio already delivered stays
delivered. Which device a setting names is ``devices.find_input``'s job.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import soxr

from annotator.audio import SAMPLE_RATE
from annotator.audio.devices import find_input, load_sounddevice
from annotator.errors import AudioError

StreamCallback = Callable[[np.ndarray, int, Any, Any], None]


class InputStreamLike(Protocol):
    """What ``Capture`` needs from a stream (sounddevice.InputStream has it)."""

    samplerate: float
    channels: int
    active: bool

    def start(self) -> None:
        """Begin calling the callback."""

    def stop(self) -> None:
        """Stop calling the callback."""

    def close(self) -> None:
        """Release the device."""


StreamFactory = Callable[[Any, StreamCallback], InputStreamLike]


_env_lock = threading.Lock()


def open_sounddevice_stream(device: str | int | None, callback: StreamCallback) -> InputStreamLike:
    """A ``sounddevice.InputStream`` (not started) at the device's native rate, up to 2 channels."""
    sd = load_sounddevice()
    found = find_input(device)
    spec, pulse_source, name, rate = found.spec, found.pulse_source, found.name, found.samplerate
    channels = max(1, min(2, found.max_input_channels))
    try:
        with _env_lock:
            old = os.environ.get("PULSE_SOURCE")
            if pulse_source is not None:
                os.environ["PULSE_SOURCE"] = pulse_source
            try:
                stream: InputStreamLike = sd.InputStream(
                    device=spec, samplerate=rate, channels=channels, dtype="float32", callback=callback
                )
            finally:
                if pulse_source is not None:
                    if old is None:
                        os.environ.pop("PULSE_SOURCE", None)
                    else:
                        os.environ["PULSE_SOURCE"] = old
    except sd.PortAudioError as err:
        msg = str(err)
        if "sample rate" in msg.lower():
            raise AudioError(f"Input device {name!r} refused {rate:g} Hz ({msg}).") from err
        raise AudioError(f"Input device {name!r} could not be opened ({msg}).") from err
    return stream


def meter_level(block: np.ndarray) -> float:
    """RMS of a block as a meter value: -60 dBFS or less -> 0.0, 0 dBFS -> 1.0."""
    if block.size == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    if rms <= 1e-3:
        return 0.0
    return min(1.0, max(0.0, (20.0 * float(np.log10(rms)) + 60.0) / 60.0))


class Capture:
    """One input source: opens the stream, delivers 16 kHz mono float32 blocks.

    ``on_audio(block)`` and ``on_level(0..1)`` are called from the audio
    thread: keep them cheap (put the block on a queue). ``start()`` reports an
    open failure through ``on_error`` and returns False (raises ``AudioError``
    when there is no ``on_error``). While running, a watchdog reports a
    device that stops delivering audio for ``stall_s`` (unplugged, gone) and
    closes the stream. ``stop()`` delivers the resampler's tail, so nothing
    captured is lost.
    """

    def __init__(
        self,
        device: str | int | None,
        source: str,
        on_audio: Callable[[np.ndarray], None],
        on_level: Callable[[float], None] | None = None,
        on_error: Callable[[AudioError], None] | None = None,
        stream_factory: StreamFactory | None = None,
        stall_s: float = 2.0,
    ) -> None:
        self.device = device
        self.source = source
        self._on_audio = on_audio
        self._on_level = on_level
        self._on_error = on_error
        self._factory: StreamFactory = stream_factory or open_sounddevice_stream
        self._stall_s = stall_s
        self._stream: InputStreamLike | None = None
        self._resampler: soxr.ResampleStream | None = None
        self._lock = threading.Lock()
        self._last_callback = 0.0
        self._stopped = threading.Event()
        self._watchdog: threading.Thread | None = None
        self.first_callback = threading.Event()
        self.frames_in = 0  # device frames received
        self.samples_out = 0  # 16 kHz samples delivered
        self.peak_level = 0.0  # the loudest block so far, as a meter value (0..1): 0 = nothing heard

    @property
    def running(self) -> bool:
        return self._stream is not None and not self._stopped.is_set()

    def start(self) -> bool:
        try:
            stream = self._factory(self.device, self._callback)
            rate = float(stream.samplerate)
            self._resampler = (
                None if rate == SAMPLE_RATE else soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")
            )
            self._stream = stream
            self._stopped.clear()
            self._last_callback = time.monotonic()
            stream.start()
        except AudioError as err:
            self._stream = None
            return self._fail(err)
        except Exception as err:  # noqa: BLE001 - PortAudio and friends: translate once, here
            self._stream = None
            return self._fail(AudioError(f"Input device {self.device!r} could not be started ({err})."))
        self._watchdog = threading.Thread(target=self._watch, name=f"capture-watchdog-{self.source}", daemon=True)
        self._watchdog.start()
        return True

    def stop(self) -> None:
        """Close the stream and deliver what the resampler still holds."""
        if self._stopped.is_set() and self._stream is None:
            return
        self._stopped.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # noqa: BLE001 - a device already gone cannot be closed cleanly; nothing to tell the user
                pass
        with self._lock:
            if self._resampler is not None:
                tail = self._resampler.resample_chunk(np.zeros((0, 1), dtype=np.float32), last=True)
                self._resampler = None
                if len(tail):
                    self._deliver(np.asarray(tail, dtype=np.float32).reshape(-1))
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join(timeout=self._stall_s + 1.0)

    # -- internals ---------------------------------------------------------

    def _fail(self, err: AudioError) -> bool:
        if self._on_error is None:
            raise err
        self._on_error(err)
        return False

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self._last_callback = time.monotonic()
        self.first_callback.set()
        data = np.asarray(indata, dtype=np.float32)
        mono = data.mean(axis=1) if data.ndim == 2 and data.shape[1] > 1 else data.reshape(-1)
        self.frames_in += len(mono)
        with self._lock:
            if self._stopped.is_set():
                return
            if self._resampler is not None:
                out = np.asarray(self._resampler.resample_chunk(mono.reshape(-1, 1)), dtype=np.float32).reshape(-1)
            else:
                out = mono.copy()
            if len(out):
                self._deliver(out)
        level = meter_level(mono)
        self.peak_level = max(self.peak_level, level)
        if self._on_level is not None:
            self._on_level(level)

    def _deliver(self, block: np.ndarray) -> None:
        self.samples_out += len(block)
        self._on_audio(block)

    def _watch(self) -> None:
        while not self._stopped.wait(min(0.25, self._stall_s / 4)):
            stream = self._stream
            if stream is None:
                return
            finished = getattr(stream, "finished", None)
            if isinstance(finished, threading.Event) and finished.is_set():
                return  # a replayed file ran out: the end of the input, not a fault
            gone = not stream.active
            stalled = time.monotonic() - self._last_callback > self._stall_s
            if gone or stalled:
                what = "stopped" if gone else f"delivered no audio for {self._stall_s:g} s"
                err = AudioError(
                    f"Input device {self.device!r} ({self.source}) {what}: recording from it ended; "
                    "what was captured is kept."
                )
                self.stop()
                if self._on_error is not None:
                    self._on_error(err)
                return
