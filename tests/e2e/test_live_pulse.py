"""The real live path: PulseAudio null-sink monitor -> sounddevice -> capture -> segmenter -> worker."""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Iterator

import jiwer
import numpy as np
import pytest
from faster_whisper import WhisperModel

from annotator.audio.capture import Capture
from annotator.audio.devices import list_input_devices
from annotator.audio.segmenter import Segmenter
from annotator.models import Chunk
from annotator.transcription.worker import TranscriptionWorker
from tests.helpers.pulse import PulseServer
from tests.helpers.whisper import ljspeech_clips, normalise

pytestmark = pytest.mark.live


def test_monitor_source_is_listed(pulse_server: PulseServer) -> None:
    devices = list_input_devices()
    monitors = [d for d in devices if d.name == pulse_server.monitor]
    assert monitors and monitors[0].is_monitor and monitors[0].is_default
    assert monitors[0].description == "Monitor of Null Output"
    assert not {"pulse", "default"} & {d.name for d in devices}  # routes to these same sources, not inputs


@pytest.fixture
def microphone(pulse_server: PulseServer) -> Iterator[str]:
    """A second source that is not a monitor (a remap of the sink's monitor stands in for a microphone)."""
    module = subprocess.run(
        [
            "pactl",
            "load-module",
            "module-remap-source",
            f"master={pulse_server.monitor}",
            "source_name=vmic",
            "source_properties=device.description=Virtual-Mic",
        ],
        env=pulse_server.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.strip()
    try:
        yield "vmic"
    finally:
        subprocess.run(["pactl", "unload-module", module], env=pulse_server.env, check=True, timeout=10)


def test_devices_is_one_list_with_ids_and_kinds(
    pulse_server: PulseServer, microphone: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    assert cli.main(["devices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = list(lines[:-1])
    assert len(listed) == 2, lines  # the monitor and the microphone, each once: no "pulse", no "default"
    mic = next(ln for ln in listed if ln[2:].startswith(microphone + " "))
    monitor = next(ln for ln in listed if ln[2:].startswith(pulse_server.monitor + " "))
    assert "input (microphone, line in)" in mic and "Virtual-Mic" in mic
    assert "system audio (monitor of an output)" in monitor and monitor.startswith("* ")
    assert lines[-1].startswith("* the default input. Pass an id as --device")

    from annotator.app import list_devices

    assert list_devices() == [
        (pulse_server.monitor, "Monitor of Null Output (system audio, default)"),
        (microphone, "Virtual-Mic (microphone)"),
    ]


@pytest.mark.parametrize("device", ["pulse", "vsink.monitor"])
def test_speech_played_into_the_sink_is_transcribed(
    pulse_server: PulseServer, whisper_model: WhisperModel, device: str
) -> None:
    path, ref = ljspeech_clips()[1]
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    errors: list[Exception] = []
    chunks: list[Chunk] = []
    done = threading.Event()
    worker = TranscriptionWorker(whisper_model, on_chunk=chunks.append, on_error=errors.append, first_id=1)
    worker.start()
    cap = Capture(device, "Them", blocks.put, None, errors.append, stall_s=5.0)
    assert cap.start(), errors
    assert cap.first_callback.wait(15), "no audio callback from PulseAudio"
    seg = Segmenter("Them")

    def segment() -> None:
        while not done.is_set() or not blocks.empty():
            try:
                block = blocks.get(timeout=0.1)
            except queue.Empty:
                continue
            for u in seg.feed(block):
                worker.submit(u)

    consumer = threading.Thread(target=segment)
    consumer.start()
    pulse_server.play(path)
    cap.stop()
    done.set()
    consumer.join(10)
    for u in seg.flush():
        worker.submit(u)
    assert worker.stop(flush=True, timeout=60)
    assert not errors, errors
    text = " ".join(c.text for c in chunks)
    assert all(c.source == "Them" for c in chunks)
    assert jiwer.wer(normalise(ref), normalise(text)) < 0.25, text


def test_devices_command_lists_the_monitor(pulse_server: PulseServer, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator import cli

    assert cli.main(["devices"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if pulse_server.monitor in ln)
    assert "16000 Hz" in line and "monitor" in line.split(pulse_server.monitor, 1)[1]
    assert any(ln.startswith("*") for ln in out.splitlines())
