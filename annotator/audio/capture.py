"""Audio capture: an input device at its native rate -> 16 kHz mono float32.

``Capture`` opens a stream through an injected factory (sounddevice by
default; ``FileInputStream`` replays a file through the same code), mixes
each block to mono, resamples it with soxr's streaming resampler and hands it
to ``on_audio``; ``on_level`` gets a meter value in 0..1 (RMS mapped from
-60..0 dBFS). Faults (no device, unknown device, refused rate, a device that
stops delivering audio) become one ``AudioError`` sentence through
``on_error``; audio already delivered stays delivered.

On Linux, PulseAudio/PipeWire sources (including ``*.monitor`` sources: the
other side of a call) are listed by ``list_input_devices`` and opened through
PortAudio's ``pulse`` device with ``PULSE_SOURCE`` naming the source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
import soxr

from annotator.errors import AudioError

SAMPLE_RATE = 16000
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


@dataclass(frozen=True)
class InputDevice:
    """One audio input the user can choose.

    ``name`` is its id: what to pass as ``--device`` / ``Capture(device=...)``
    (a PulseAudio/PipeWire source name, else the PortAudio device name, or its
    index where two devices share a name). ``description`` is what a person
    reads; ``is_monitor`` marks the monitor of an output (what the computer
    plays: the other side of a call), as opposed to a microphone or line in.
    ``index`` is the PortAudio device that opens it (for a PulseAudio source:
    PortAudio's ``pulse`` device).
    """

    index: int
    name: str
    default_samplerate: float
    max_input_channels: int
    is_default: bool
    is_monitor: bool
    description: str = ""

    @property
    def kind(self) -> str:
        return "system audio (monitor of an output)" if self.is_monitor else "input (microphone, line in)"


class _PulseSource(NamedTuple):
    name: str
    rate: int
    channels: int
    description: str
    is_monitor: bool


def looks_like_monitor(device: str | int | None) -> bool:
    """True for a device id that names the monitor of an output (``*.monitor``, "Monitor of ...")."""
    return isinstance(device, str) and (device.endswith(".monitor") or "monitor" in device.lower())


def _pactl(*args: str) -> str:
    """pactl's output in the C locale (its labels are translated otherwise); '' without pactl or a server."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return ""
    try:
        return subprocess.run(
            [pactl, *args], capture_output=True, text=True, timeout=3, check=True, env={**os.environ, "LC_ALL": "C"}
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _pulse_sources() -> list[_PulseSource]:
    """Each PulseAudio/PipeWire source (``pactl list sources``), [] without pactl or a server."""
    found: list[_PulseSource] = []
    fields: dict[str, str] = {}

    def flush() -> None:
        name = fields.get("Name")
        if name:
            rate, channels = 48000, 2
            for part in fields.get("Sample Specification", "").split():
                if part.endswith("Hz") and part[:-2].isdigit():
                    rate = int(part[:-2])
                elif part.endswith("ch") and part[:-2].isdigit():
                    channels = int(part[:-2])
            monitor_of = fields.get("Monitor of Sink", "n/a")
            found.append(
                _PulseSource(name, rate, channels, fields.get("Description", name), monitor_of not in ("", "n/a"))
            )
        fields.clear()

    for line in _pactl("list", "sources").splitlines():
        if line.startswith("Source #"):
            flush()
        elif line.startswith("\t") and not line.startswith("\t\t") and ":" in line:
            key, _, value = line.strip().partition(":")
            fields.setdefault(key.strip(), value.strip())
    flush()
    return found


def _pulse_default_source() -> str | None:
    for line in _pactl("info").splitlines():
        if line.startswith("Default Source:"):
            return line.partition(":")[2].strip() or None
    return None


def _sounddevice() -> Any:
    """The sounddevice module; ``AudioError`` when PortAudio itself is missing."""
    try:
        import sounddevice
    except OSError as err:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise AudioError(f"The PortAudio library is missing (install libportaudio2): {err}.") from err
    return sounddevice


def list_input_devices() -> list[InputDevice]:
    """Every input the user can choose, once each.

    With a PulseAudio/PipeWire server: its sources (microphones and the
    monitors of outputs), by source name, the server's default marked; the
    ALSA devices PortAudio also lists are routes to, or raw copies of, those
    same sources and are left out (an index still opens one). Without one:
    PortAudio's input devices.
    """
    sd = _sounddevice()

    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
    except sd.PortAudioError as err:
        raise AudioError(f"The audio system could not be queried: {err}.") from err
    inputs = [d for d in devices if d["max_input_channels"] > 0]
    pulse_index = next((int(d["index"]) for d in inputs if d["name"] == "pulse"), -1)
    sources = _pulse_sources() if pulse_index >= 0 else []
    if sources:
        default = _pulse_default_source()
        return [
            InputDevice(pulse_index, s.name, float(s.rate), s.channels, s.name == default, s.is_monitor, s.description)
            for s in sources
        ]
    names = [str(d["name"]) for d in inputs]
    return [
        InputDevice(
            index=int(d["index"]),
            name=str(d["name"]) if names.count(str(d["name"])) == 1 else str(int(d["index"])),
            default_samplerate=float(d["default_samplerate"]),
            max_input_channels=int(d["max_input_channels"]),
            is_default=int(d["index"]) == default_in,
            is_monitor=looks_like_monitor(str(d["name"])),
            description=str(d["name"]),
        )
        for d in inputs
    ]


_env_lock = threading.Lock()


def open_sounddevice_stream(device: str | int | None, callback: StreamCallback) -> InputStreamLike:
    """A ``sounddevice.InputStream`` (not started) at the device's native rate, up to 2 channels."""
    sd = _sounddevice()

    pulse_source: str | None = None
    spec: str | int | None = device
    if isinstance(device, str) and device.strip().isdigit():
        spec = int(device)
    try:
        try:
            info = sd.query_devices(spec, "input")
        except ValueError:
            if not isinstance(spec, str):
                raise
            if spec not in [s.name for s in _pulse_sources()]:
                raise
            pulse_source = spec
            info = sd.query_devices("pulse", "input")
            spec = "pulse"
    except ValueError as err:
        raise AudioError(
            f"No input device matches {device!r}: run `annotator devices` to list them."
        ) from err
    except sd.PortAudioError as err:
        if device is None:
            raise AudioError(
                "No audio input device was found: connect a microphone or check the sound system."
            ) from err
        raise AudioError(f"Input device {device!r} is not available ({err}): run `annotator devices`.") from err
    rate = float(info["default_samplerate"])
    channels = max(1, min(2, int(info["max_input_channels"])))
    name = pulse_source or str(info["name"])
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


class FileInputStream:
    """A fake input device that plays an audio file into a ``Capture`` callback.

    It opens at the file's own rate and channel count (or ``samplerate`` /
    ``channels`` to convert first, e.g. to simulate a 48 kHz stereo USB mic)
    and calls the callback with ``blocksize`` frames from its own thread,
    paced at ``speed`` x real time (``None`` = as fast as possible).
    ``fail_after_s`` makes the "device" vanish after that much audio, like an
    unplugged microphone. ``FileInputStream.factory(path, ...)`` gives a
    ``stream_factory`` for ``Capture``; ``finished`` is set when the file has
    been played out.
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
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()
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

    def _play(self) -> None:
        pos = 0
        n = len(self._data)
        # pacing is anchored where the speed last changed, so ``speed`` may be changed while playing
        anchor_t, anchor_pos, anchor_speed = time.monotonic(), 0, self.speed
        while pos < n and not self._stop.is_set():
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
