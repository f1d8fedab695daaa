"""Which source a live input is: a microphone is "You", the monitor of an output (system audio) "Them"."""

from __future__ import annotations

import io

import pytest

from annotator.commands.listen import TerminalSink
from annotator.config.schema import Config
from annotator.runner import Sessions


@pytest.mark.parametrize(
    ("devices", "sources"),
    [
        (None, ["You"]),
        ("hw-mic", ["You"]),
        ("vsink.monitor", ["Them"]),
        ("Monitor of Built-in Audio", ["Them"]),
        (["vsink.monitor", "hw-mic"], ["Them", "You"]),
        (["hw-mic", "vsink.monitor"], ["You", "Them"]),
        (["hw-mic", "usb-mic"], ["You", "Them"]),
    ],
)
def test_a_monitor_is_them_and_a_microphone_you(devices: object, sources: list[str]) -> None:
    sessions = Sessions(Config(), TerminalSink(io.StringIO(), io.StringIO(), as_json=False))
    assert [src for _device, src in sessions._inputs(devices)] == sources  # type: ignore[arg-type]
