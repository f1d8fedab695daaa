"""The live path without a sound card: two recorded files played through the
injected input device as "You" and "Them", through capture, segmenter, the
transcription worker, the pipeline and the real analysis chain on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jiwer

from annotator.analysis.analyzer import build_analyzer
from annotator.audio.decode import decode_file
from annotator.audio.file_stream import FileInputStream
from annotator.config.file import load_config
from annotator.formats.readers import read_session
from annotator.journal.writer import Journal
from annotator.sessions.live import LiveInput
from annotator.sessions.pipeline import Pipeline
from annotator.sessions.sinks import JournalSink
from tests.helpers.faultserver import FaultServer, Reply
from tests.helpers.whisper import ljspeech_clips, normalise
from tests.unit.sessions.test_pipeline import Recorder


class TwoFiles:
    """A stream factory: the device name picks the file; remembers the streams."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files
        self.streams: list[FileInputStream] = []

    def __call__(self, device: Any, callback: Any) -> FileInputStream:
        stream = FileInputStream(self.files[device], callback, samplerate=48_000, channels=2, speed=None)
        self.streams.append(stream)
        return stream


async def test_two_sources_are_transcribed_labelled_analysed_journaled_and_recorded(
    whisper_model: Any, fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.set_default(Reply.ok())
    config = load_config(fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a")]))
    (mine, my_ref), (theirs, their_ref) = ljspeech_clips()[1], ljspeech_clips()[2]
    journal = Journal.create(tmp_path / "sessions", header={"mode": "test"})
    seen = Recorder()
    analyzer = build_analyzer(config)
    pipeline = Pipeline(analyzer, [JournalSink(journal), seen])
    pipeline.start()
    factory = TwoFiles({"mic": mine, "monitor": theirs})
    live = LiveInput(
        whisper_model, [("mic", "You"), ("monitor", "Them")], asyncio.get_running_loop(), stream_factory=factory
    )
    await asyncio.to_thread(live.open)
    await asyncio.to_thread(live.start, pipeline, journal.audio_path)
    played = [s.finished for s in factory.streams]
    await asyncio.to_thread(lambda: all(e.wait(30) for e in played))
    # Stop flushes the utterance the segmenter still holds at the end of each file
    await live.stop()
    await pipeline.stop()
    await journal.aclose()
    await analyzer.aclose()

    record = read_session(journal.path)
    by_source = {src: " ".join(c.text for c in record.chunks if c.source == src) for src in ("You", "Them")}
    assert jiwer.wer(normalise(my_ref), normalise(by_source["You"])) < 0.35, by_source
    assert jiwer.wer(normalise(their_ref), normalise(by_source["Them"])) < 0.35, by_source
    ids = [c.id for c in record.chunks]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    analysed = sorted(i for a in record.analyses for i in a.chunk_ids)
    assert analysed == ids  # every chunk analysed (merged or not)
    assert all(a.provider == "a" for a in record.analyses)
    assert seen.of("chunk") == ids
    # one recording per source, each as long as its file
    you_audio = journal.audio_path
    them_audio = journal.audio_path.with_name(f"{journal.path.stem}.them.flac")
    assert abs(len(decode_file(you_audio)) - len(decode_file(mine))) < 16_000 * 0.1
    assert abs(len(decode_file(them_audio)) - len(decode_file(theirs))) < 16_000 * 0.1
