"""Which source a live input is: a microphone is "You", the monitor of an output (system audio) "Them"."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from annotator.errors import AudioError
from annotator.sessions.live import input_pairs


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
def test_a_monitor_is_them_and_a_microphone_you(devices: str | Sequence[str] | None, sources: list[str]) -> None:
    assert [src for _device, src in input_pairs(devices, ())] == sources


def test_the_configured_inputs_when_none_is_asked_for_and_a_number_is_an_index() -> None:
    assert input_pairs(None, ["3", "vsink.monitor"]) == [(3, "You"), ("vsink.monitor", "Them")]
    assert input_pairs(None, ()) == [(None, "You")]


def test_three_inputs_are_refused_with_a_sentence() -> None:
    with pytest.raises(AudioError, match="at most two are recorded at once"):
        input_pairs(["a", "b", "c"], ())
