"""Audio inputs: listing them and finding the one a device setting names.

On Linux, PulseAudio/PipeWire sources (including ``*.monitor`` sources: the
other side of a call) are listed by ``list_input_devices``; ``find_input``
resolves such a source to PortAudio's ``pulse`` device, which opens it with
``PULSE_SOURCE`` naming the source. A device setting that names nothing, or a
device PortAudio cannot query, is one ``AudioError`` sentence naming it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, NamedTuple

from annotator.errors import AudioError


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


@dataclass(frozen=True)
class FoundInput:
    """What opens a device setting: ``spec`` is the PortAudio device to pass
    (as given, its index, or ``"pulse"`` for a PulseAudio source, then named
    by ``pulse_source``); ``name`` is what a person reads in a message."""

    spec: str | int | None
    pulse_source: str | None
    name: str
    samplerate: float
    max_input_channels: int


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


def load_sounddevice() -> Any:
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
    sd = load_sounddevice()

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


def find_input(device: str | int | None) -> FoundInput:
    """The input a device setting names (``None``: the default input): a
    PortAudio device name or index, or a PulseAudio/PipeWire source name.
    ``AudioError`` naming the setting when nothing matches or it cannot be queried."""
    sd = load_sounddevice()

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
        raise AudioError(f"No input device matches {device!r}: run `annotator devices` to list them.") from err
    except sd.PortAudioError as err:
        if device is None:
            raise AudioError(
                "No audio input device was found: connect a microphone or check the sound system."
            ) from err
        raise AudioError(f"Input device {device!r} is not available ({err}): run `annotator devices`.") from err
    return FoundInput(
        spec=spec,
        pulse_source=pulse_source,
        name=pulse_source or str(info["name"]),
        samplerate=float(info["default_samplerate"]),
        max_input_channels=int(info["max_input_channels"]),
    )
