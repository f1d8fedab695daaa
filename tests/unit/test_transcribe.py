"""Transcription with the real offline model on real speech."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import jiwer
import numpy as np
import pytest
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment
import soundfile as sf

from annotator import cli
from annotator.audio.segmenter import Segmenter
from annotator.errors import AnnotatorError, InputError, ModelError
from annotator.models import Chunk, Utterance
from annotator.transcribe import (
    TranscribeOptions,
    TranscriptionWorker,
    resolve_model,
    segment_text,
    transcribe_audio,
    transcribe_file,
)
from tests.helpers.whisper import DATA, ljspeech_clips, normalise, speech_with_gaps, whisper_model  # noqa: F401

MAX_WER = 0.15  # tiny.en int8 on LJ Speech: about 0.07 measured


def test_default_model_is_the_offline_one() -> None:
    path = Path(resolve_model(None))
    assert (path / "model.bin").is_file()
    assert resolve_model(str(path)) == str(path)


def test_model_errors_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="no model.bin"):
        resolve_model(str(tmp_path))
    with pytest.raises(ModelError, match="Unknown model 'tiny.klingon'"):
        resolve_model("tiny.klingon")
    # HF_HUB_OFFLINE=1 (tests/conftest.py): a name not in the cache says what to do, without a network call
    with pytest.raises(ModelError, match="not downloaded.*local model directory"):
        resolve_model("base.en", cache_dir=tmp_path / "cache")


def test_word_error_rate_on_ljspeech(whisper_model: WhisperModel) -> None:
    refs, hyps = [], []
    for path, ref in ljspeech_clips():
        chunks = list(transcribe_file(path, whisper_model))
        assert len(chunks) == 1
        assert 0.0 <= chunks[0].start < chunks[0].end
        refs.append(normalise(ref))
        hyps.append(normalise(" ".join(c.text for c in chunks)))
    assert jiwer.wer(refs, hyps) < MAX_WER, list(zip(refs, hyps))


def test_file_with_pauses_gives_one_chunk_per_utterance(whisper_model: WhisperModel, tmp_path: Path) -> None:
    audio, spans, refs = speech_with_gaps(1.0)
    path = tmp_path / "joined.flac"
    sf.write(path, audio, 16000)
    progress: list[tuple[float, float]] = []
    chunks = list(transcribe_file(path, whisper_model, on_progress=lambda d, t: progress.append((d, t))))
    assert [c.id for c in chunks] == list(range(1, len(spans) + 1))
    for c, (start, end) in zip(chunks, spans):
        assert abs(c.start - start) < 0.6 and abs(c.end - end) < 0.6
    wer = jiwer.wer([normalise(r) for r in refs], [normalise(c.text) for c in chunks])
    assert wer < MAX_WER
    assert progress[-1][0] == pytest.approx(progress[-1][1]) == pytest.approx(len(audio) / 16000)


@pytest.mark.parametrize("level", [0.0, 0.002, 0.02, 0.1])
def test_no_text_from_silence_or_noise(whisper_model: WhisperModel, level: float) -> None:
    rng = np.random.default_rng(11)
    audio = (rng.standard_normal(16000 * 4) * level).astype(np.float32)
    assert transcribe_audio(whisper_model, audio, TranscribeOptions()) == ""
    # with the energy gate off, the model's own signals still have to catch it
    assert transcribe_audio(whisper_model, audio, TranscribeOptions(min_rms_dbfs=-200.0)) == ""


def _segment(text: str, no_speech_prob: float = 0.05, avg_logprob: float = -0.3) -> Segment:
    return Segment(0, 0, 0.0, 1.0, text, [], avg_logprob, 1.2, no_speech_prob, None, 0.0)


@pytest.mark.parametrize("text", [".", " ... ", "?!", "♪", "- -", "…", ""])
def test_text_without_a_letter_or_digit_is_not_speech(text: str) -> None:
    # a confident segment (low no_speech_prob, good logprob) is still dropped: "." is what the
    # model returned for white noise at level 0.002 with the energy gate off
    assert segment_text(_segment(text), TranscribeOptions()) == ""


@pytest.mark.parametrize("text", ["Yes.", "42", "Ça va.", "日本語", " OK "])
def test_text_with_a_letter_or_digit_is_kept(text: str) -> None:
    assert segment_text(_segment(text), TranscribeOptions()) == text.strip()


def test_bad_files_are_input_errors_naming_the_file(whisper_model: WhisperModel, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio")
    silent = tmp_path / "zero.wav"
    sf.write(silent, np.zeros(0, dtype=np.float32), 16000)
    for path in (tmp_path / "missing.wav", empty, text, silent):
        with pytest.raises(InputError, match=path.name):
            list(transcribe_file(path, whisper_model))


def test_transcribe_command_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path, ref = ljspeech_clips()[3]
    assert cli.main(["transcribe", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) >= {"id", "source", "start", "end", "text"}
    assert normalise(obj["text"]) == normalise(ref)


def test_transcribe_command_bad_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_text("RIFF nonsense")
    assert cli.main(["transcribe", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.wav" in err[0]


class Collector:
    """Callbacks for a worker, with events to wait on."""

    def __init__(self, expected: int) -> None:
        self.chunks: list[Chunk] = []
        self.errors: list[AnnotatorError] = []
        self.backlog: list[float] = []
        self.expected = expected
        self.done = threading.Event()
        self.ready = threading.Event()

    def on_chunk(self, c: Chunk) -> None:
        self.chunks.append(c)
        if len(self.chunks) >= self.expected:
            self.done.set()

    def on_error(self, e: AnnotatorError) -> None:
        self.errors.append(e)
        self.done.set()


def _utterances() -> list[Utterance]:
    audio, _, _ = speech_with_gaps(1.0)
    seg = Segmenter("You")
    return seg.feed(audio) + seg.flush()


def test_worker_transcribes_in_order_from_the_start_id(whisper_model: WhisperModel) -> None:
    utts = _utterances()
    col = Collector(len(utts))
    worker = TranscriptionWorker(
        whisper_model, on_chunk=col.on_chunk, on_error=col.on_error, on_ready=col.ready.set, first_id=41
    )
    worker.start()
    assert col.ready.wait(10)
    for n, u in enumerate(utts, start=1):
        # one at a time, as live speech arrives: no merging
        col.expected = n
        col.done.clear()
        worker.submit(u)
        assert col.done.wait(30)
    assert worker.stop(timeout=30)
    assert [c.id for c in col.chunks] == list(range(41, 41 + len(utts)))
    assert [c.start for c in col.chunks] == [u.start for u in utts]
    assert all(c.source == "You" for c in col.chunks)
    assert not col.errors
    assert worker.next_id == 41 + len(col.chunks)


def test_worker_behind_real_time_merges_and_reports(whisper_model: WhisperModel) -> None:
    utts = _utterances()
    col = Collector(1)
    worker = TranscriptionWorker(
        whisper_model, on_chunk=col.on_chunk, on_error=col.on_error, on_backlog=col.backlog.append
    )
    for u in utts:  # all waiting before the worker runs: it is behind
        worker.submit(u)
    worker.start()
    assert worker.stop(flush=True, timeout=60)
    assert len(col.chunks) < len(utts)
    assert col.backlog and col.backlog[0] >= 0.0 and col.backlog[-1] == 0.0
    merged = " ".join(c.text for c in col.chunks)
    refs = " ".join(r for _, r in ljspeech_clips())
    assert jiwer.wer(normalise(refs), normalise(merged)) < 0.25
    assert col.chunks[0].start == pytest.approx(utts[0].start)
    assert col.chunks[-1].end == pytest.approx(utts[-1].end)


def test_worker_stop_flushes_the_queue(whisper_model: WhisperModel) -> None:
    utt = _utterances()[3]
    col = Collector(1)
    worker = TranscriptionWorker(whisper_model, on_chunk=col.on_chunk)
    worker.start()
    worker.submit(utt)
    assert worker.stop(flush=True, timeout=30)
    assert normalise(col.chunks[0].text) == "has never been surpassed"
    worker.submit(utt)  # after stop: ignored, never blocks
    assert worker.pending() == 0


def test_worker_loads_in_its_thread_and_reports_failure(tmp_path: Path) -> None:
    col = Collector(1)
    worker = TranscriptionWorker(str(tmp_path / "no-model"), on_chunk=col.on_chunk, on_error=col.on_error)
    worker.start()
    assert col.done.wait(10)
    assert isinstance(col.errors[0], ModelError) and "no-model" in str(col.errors[0])
    assert worker.stop(timeout=5)
    assert worker.failed.is_set()


def test_worker_loads_the_default_model_itself() -> None:
    col = Collector(1)
    worker = TranscriptionWorker(None, on_chunk=col.on_chunk, on_error=col.on_error, on_ready=col.ready.set)
    worker.start()
    assert col.ready.wait(30)
    worker.submit(_utterances()[0])
    assert worker.stop(timeout=30)
    assert normalise(col.chunks[0].text) == "in being comparatively modern"


class CountingModel:
    """The real model, counting transcriptions and signalling each one done."""

    def __init__(self, model) -> None:  # type: ignore[no-untyped-def]
        self._model = model
        self.model = model.model
        self.calls = 0
        self.finished = threading.Event()

    def transcribe(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        segments, info = self._model.transcribe(*args, **kwargs)
        done = list(segments)
        self.calls += 1
        self.finished.set()
        return iter(done), info


def test_provisional_utterance_is_the_final_one_and_its_text_is_reused(whisper_model: WhisperModel) -> None:
    audio, spans, _ = speech_with_gaps(1.0)
    provisional: list[Utterance] = []
    seg = Segmenter("You", on_provisional=provisional.append)
    first_end = int((spans[0][1] + 0.5) * 16000)  # 0.5 s into the silence after clip 1
    finals = seg.feed(audio[:first_end])
    assert len(provisional) == 1 and len(finals) == 1
    p, f = provisional[0], finals[0]
    assert (p.source, p.start, p.end) == (f.source, f.start, f.end)
    np.testing.assert_array_equal(p.audio, f.audio)

    counting = CountingModel(whisper_model)
    col = Collector(1)
    worker = TranscriptionWorker(counting, on_chunk=col.on_chunk)  # type: ignore[arg-type]
    worker.start()
    worker.submit_provisional(p)
    assert counting.finished.wait(30)
    worker.submit(f)
    assert col.done.wait(30)
    assert worker.stop(timeout=30)
    assert counting.calls == 1
    assert normalise(col.chunks[0].text) == "in being comparatively modern"


def test_speech_resuming_discards_the_provisional_text(whisper_model: WhisperModel) -> None:
    path, _ = ljspeech_clips()[1]
    from annotator.audio.decode import decode_file

    clip = decode_file(path)
    gap = np.zeros(int(0.35 * 16000), dtype=np.float32)  # a pause, not an end
    audio = np.concatenate([gap, clip[: len(clip) // 2], gap, clip[len(clip) // 2 :], np.zeros(16000, np.float32)])
    provisional: list[Utterance] = []
    seg = Segmenter("You", on_provisional=provisional.append)
    finals = seg.feed(audio) + seg.flush()
    assert len(finals) == 1 and len(provisional) >= 2
    assert provisional[0].end < finals[0].end
    counting = CountingModel(whisper_model)
    col = Collector(1)
    worker = TranscriptionWorker(counting, on_chunk=col.on_chunk)  # type: ignore[arg-type]
    worker.start()
    worker.submit_provisional(provisional[0])
    assert counting.finished.wait(30)
    worker.submit(finals[0])
    assert worker.stop(timeout=30)
    assert counting.calls == 2
    assert normalise(col.chunks[0].text).endswith("true printed book")


class Terminal(io.StringIO):
    """stderr as if it were a terminal."""

    def isatty(self) -> bool:
        return True


def test_transcribe_command_shows_progress_for_long_files_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    path = DATA / "realtimestt" / "asr-reference.wav"  # 52 s
    assert cli.main(["transcribe", str(path)]) == 0
    bar = term.getvalue()
    assert bar.count("\r[") >= 5 and "] 52/52 s" in bar
    assert bar.endswith("\r\x1b[K")  # erased at the end: the terminal keeps only the transcript
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 8 and all(line.startswith("[00:") for line in lines)
    assert "hey guys" in normalise(lines[0])


def encode_with_pyav(audio: np.ndarray, path: Path, codec: str, fmt: str | None = None) -> None:
    """Write 16 kHz mono audio compressed with ``codec`` (PyAV's bundled FFmpeg)."""
    import av

    pcm = (audio * 32767).astype(np.int16)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=16000)
        stream.layout = "mono"
        for i in range(0, len(pcm), 1024):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + 1024], format="s16", layout="mono")
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize(("name", "codec", "fmt"), [("clip.mp3", "libmp3lame", None), ("clip.m4a", "aac", "ipod")])
def test_compressed_files_transcribe_like_the_wav(
    whisper_model: WhisperModel, tmp_path: Path, name: str, codec: str, fmt: str | None
) -> None:
    from annotator.audio.decode import decode_file

    wav, ref = ljspeech_clips()[3]
    path = tmp_path / name
    encode_with_pyav(decode_file(wav), path, codec, fmt)
    chunks = list(transcribe_file(path, whisper_model))
    assert normalise(" ".join(c.text for c in chunks)) == normalise(ref)
