"""The real live path: PulseAudio null-sink monitor -> sounddevice -> capture -> segmenter -> worker."""

from __future__ import annotations

import queue
import threading

import jiwer
import numpy as np
import pytest
from faster_whisper import WhisperModel

from annotator.audio.capture import Capture, list_input_devices
from annotator.audio.segmenter import Segmenter
from annotator.models import Chunk
from annotator.transcribe import TranscriptionWorker
from tests.helpers.pulse import PulseServer
from tests.helpers.whisper import ljspeech_clips, normalise

pytestmark = pytest.mark.live


def test_monitor_source_is_listed(pulse_server: PulseServer) -> None:
    devices = list_input_devices()
    monitors = [d for d in devices if d.name == pulse_server.monitor]
    assert monitors and monitors[0].is_monitor
    assert any(d.name == "pulse" for d in devices)


@pytest.mark.parametrize("device", ["pulse", "vsink.monitor"])
def test_speech_played_into_the_sink_is_transcribed(
    pulse_server: PulseServer, whisper_model: WhisperModel, device: str
) -> None:
    path, ref = ljspeech_clips()[1]
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    errors: list[Exception] = []
    chunks: list[Chunk] = []
    done = threading.Event()
    worker = TranscriptionWorker(
        whisper_model, on_chunk=chunks.append, on_error=errors.append, first_id=1
    )
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
