"""The transcription worker thread with the real offline model on real speech."""

from __future__ import annotations

import threading
from pathlib import Path

import jiwer
import numpy as np
import pytest
from faster_whisper import WhisperModel

from annotator.audio.segmenter import Segmenter
from annotator.errors import AnnotatorError, ModelError
from annotator.models import Chunk, Utterance
from annotator.transcription.worker import Partial, PartialPolicy, TranscriptionWorker
from tests.helpers.whisper import ljspeech_clips, normalise, speech_with_gaps


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
    seg = Segmenter("You", silence_s=0.5, on_provisional=provisional.append)
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
    seg = Segmenter("You", silence_s=0.5, on_provisional=provisional.append)
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


class Events:
    """Partials and chunks in the order the worker delivered them."""

    def __init__(self) -> None:
        self.items: list[Partial | Chunk] = []
        self.partial = threading.Event()
        self.chunk = threading.Event()

    def on_partial(self, p: Partial) -> None:
        self.items.append(p)
        self.partial.set()

    def on_chunk(self, c: Chunk) -> None:
        self.items.append(c)
        self.chunk.set()


def _jfk() -> np.ndarray:
    from annotator.audio.decode import decode_file

    return decode_file(Path(__file__).resolve().parents[2] / "data" / "jfk.flac")


def test_a_partial_gives_the_words_so_far_then_the_chunk_replaces_it(whisper_model: WhisperModel) -> None:
    audio = _jfk()
    ev = Events()
    worker = TranscriptionWorker(whisper_model, on_chunk=ev.on_chunk, on_partial=ev.on_partial)
    worker.start()
    worker.submit_partial(Utterance("You", 0.0, 3.5, audio[: int(3.5 * 16000)]))
    assert ev.partial.wait(30)
    [partial] = ev.items
    assert isinstance(partial, Partial) and (partial.source, partial.start) == ("You", 0.0)
    assert "fellow americans" in normalise(partial.text)
    worker.submit(Utterance("You", 0.0, 11.0, audio))
    assert ev.chunk.wait(30)
    assert worker.stop(timeout=30)
    chunk = ev.items[-1]
    assert isinstance(chunk, Chunk) and chunk.id == 1 and "your country" in normalise(chunk.text)
    assert worker.partials_run == 1 and worker.partial_seconds > 0


def test_a_final_goes_before_a_partial_and_supersedes_its_own(whisper_model: WhisperModel) -> None:
    audio = _jfk()
    ev = Events()
    worker = TranscriptionWorker(whisper_model, on_chunk=ev.on_chunk, on_partial=ev.on_partial)
    # offered before the thread runs: the final of "Them" waits in the queue, the partial of "You"
    # is an offer, and the offer of "Them" is dropped by the final that covers it
    worker.submit_partial(Utterance("Them", 0.0, 2.0, audio[: 2 * 16000]))
    worker.submit_partial(Utterance("You", 0.0, 3.0, audio[: 3 * 16000]))
    worker.submit(Utterance("Them", 0.0, 4.0, audio[: 4 * 16000]))
    worker.start()
    assert ev.chunk.wait(30)
    assert worker.stop(timeout=30)
    assert isinstance(ev.items[0], Chunk) and ev.items[0].source == "Them"
    assert all(p.source == "You" for p in ev.items[1:] if isinstance(p, Partial))


def test_a_stale_offer_is_skipped(whisper_model: WhisperModel) -> None:
    audio = _jfk()
    ev = Events()
    worker = TranscriptionWorker(
        whisper_model, on_chunk=ev.on_chunk, on_partial=ev.on_partial, partial_policy=PartialPolicy(fresh_s=0.0)
    )
    worker.submit_partial(Utterance("You", 0.0, 3.0, audio[: 3 * 16000]))
    worker.start()
    worker.submit(Utterance("Them", 0.0, 2.0, audio[: 2 * 16000]))
    assert ev.chunk.wait(30)
    assert worker.stop(timeout=30)
    assert [type(i) for i in ev.items] == [Chunk] and worker.partials_run == 0


def test_the_provisional_text_is_shown_as_a_partial_before_its_chunk(whisper_model: WhisperModel) -> None:
    audio = _jfk()[: 4 * 16000]
    ev = Events()
    worker = TranscriptionWorker(whisper_model, on_chunk=ev.on_chunk, on_partial=ev.on_partial)
    worker.start()
    u = Utterance("You", 0.0, 4.0, audio)
    worker.submit_provisional(u)
    assert ev.partial.wait(30)
    worker.submit(u)
    assert ev.chunk.wait(30)
    assert worker.stop(timeout=30)
    partial, chunk = ev.items
    assert isinstance(partial, Partial) and isinstance(chunk, Chunk) and partial.text == chunk.text


def test_a_change_of_speaker_known_before_the_end_cuts_the_text_at_the_word_there(
    whisper_model: WhisperModel,
) -> None:
    from tests.helpers.conversation import SR, voices

    pool = voices()
    first, second = pool["lj"][1], pool["presenter"][0]  # "...the true printed book," / "Welcome to ..."
    u = Utterance("You", 3.0, 3.0 + (len(first) + len(second)) / SR, np.concatenate([first, second]))
    join = u.start + len(first) / SR
    for split_at, expected in ((lambda _u: (join + 0.3,), 2), (lambda _u: (), 1), (None, 1)):
        col = Collector(expected)
        worker = TranscriptionWorker(whisper_model, on_chunk=col.on_chunk, on_error=col.on_error, split_at=split_at)
        worker.start()
        worker.submit(u)
        assert col.done.wait(60)
        assert worker.stop(timeout=30)
        assert not col.errors
        assert len(col.chunks) == expected, col.chunks
        texts = [normalise(c.text) for c in col.chunks]
        assert "printed book" in texts[0], texts
        if expected == 2:  # (whole, tiny.en may drop the second voice's words: the split keeps them)
            assert "welcome" in texts[1], texts
            assert "welcome" not in texts[0] and "printed" not in texts[1], texts
            assert col.chunks[0].end == col.chunks[1].start and abs(col.chunks[1].start - join) <= 0.6
            assert [c.id for c in col.chunks] == [1, 2]
