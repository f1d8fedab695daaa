"""Live inputs: which source each is (a microphone is "You", the monitor of an output "Them"), and what opening them said."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from annotator.errors import AnnotatorError, AudioError
from annotator.sessions.live import LiveInput, input_pairs
from annotator.sessions.pipeline import Pipeline
from tests.unit.sessions.test_pipeline import Recorder


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


class OneBlock:
    """An input stream that delivers one block of silence as it starts."""

    samplerate = 16000

    def __init__(self, callback: Any) -> None:
        self.callback = callback

    def start(self) -> None:
        self.callback(np.zeros((160, 1), dtype=np.float32), 160, None, None)

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None


def one_gone(device: Any, callback: Any) -> OneBlock:
    if device == "gone":
        raise AudioError("The input device 'gone' is not there.")
    return OneBlock(callback)


class Errors(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def on_error(self, error: AnnotatorError) -> None:
        super().on_error(error)
        self.arrived.set()


async def test_an_input_of_two_that_failed_to_open_is_reported_to_the_session_it_records() -> None:
    # it is opened before the session's journal and pipeline exist (a dead microphone leaves
    # no empty session), so what went wrong is said once the pipeline is there
    live = await asyncio.to_thread(
        LiveInput, None, [("mic", "You"), ("gone", "Them")], asyncio.get_running_loop(), stream_factory=one_gone
    )
    await asyncio.to_thread(live.open)
    sink = Errors()
    pipeline = Pipeline(None, [sink])
    await asyncio.to_thread(live.start, pipeline, None)
    await asyncio.wait_for(sink.arrived.wait(), 10)
    await live.stop()
    assert sink.of("error") == ["The input device 'gone' is not there."]
