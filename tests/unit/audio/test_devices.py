"""Finding inputs: monitor ids, PulseAudio sources read from pactl, and one sentence for a device that is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.audio import devices
from annotator.audio.devices import InputDevice, find_input, looks_like_monitor
from annotator.errors import AudioError

PACTL_SOURCES = """\
Source #0
\tState: SUSPENDED
\tName: alsa_output.pci.analog-stereo.monitor
\tDescription: Monitor of Built-in Audio
\tSample Specification: s16le 2ch 44100Hz
\tMonitor of Sink: alsa_output.pci.analog-stereo
\tProperties:
\t\tdevice.description = "ignored: a nested line"
Source #1
\tName: alsa_input.usb-mic.mono
\tDescription: USB Mic
\tSample Specification: s16le 1ch 16000Hz
\tMonitor of Sink: n/a
"""


@pytest.fixture
def fake_pactl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``pactl`` on PATH that prints canned output, as a PulseAudio server's would."""
    (tmp_path / "sources.txt").write_text(PACTL_SOURCES, encoding="utf-8")
    script = tmp_path / "pactl"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = list ]; then cat "{tmp_path / "sources.txt"}"; '
        "else echo 'Default Source: alsa_input.usb-mic.mono'; fi\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.parametrize(
    ("device", "expected"),
    [("vsink.monitor", True), ("Monitor of Built-in Audio", True), ("USB mic", False), (3, False), (None, False)],
)
def test_looks_like_monitor(device: str | int | None, expected: bool) -> None:
    assert looks_like_monitor(device) is expected


def test_pulse_sources_are_read_from_pactl(fake_pactl: None) -> None:
    sources = devices._pulse_sources()
    assert [(s.name, s.rate, s.channels, s.description, s.is_monitor) for s in sources] == [
        ("alsa_output.pci.analog-stereo.monitor", 44100, 2, "Monitor of Built-in Audio", True),
        ("alsa_input.usb-mic.mono", 16000, 1, "USB Mic", False),
    ]
    assert devices._pulse_default_source() == "alsa_input.usb-mic.mono"


def test_without_pactl_there_are_no_pulse_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert devices._pulse_sources() == []
    assert devices._pulse_default_source() is None


def test_kind_says_what_a_person_hears() -> None:
    monitor = InputDevice(0, "vsink.monitor", 16000.0, 1, True, True, "Monitor of Null Output")
    mic = InputDevice(1, "mic", 48000.0, 2, False, False)
    assert monitor.kind == "system audio (monitor of an output)"
    assert mic.kind == "input (microphone, line in)"


@pytest.mark.parametrize("device", ["no such microphone 4711", 4711, "4711"])
def test_a_device_that_is_not_there_is_one_sentence_naming_it(device: str | int) -> None:
    with pytest.raises(AudioError) as err:
        find_input(device)
    message = str(err.value)
    assert "4711" in message and "annotator devices" in message
    assert "\n" not in message
