"""The streaming segmenter on real speech with silence inserted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from faster_whisper import WhisperModel
from faster_whisper.vad import get_vad_model

from annotator.audio.segmenter import WINDOW, Segmenter, StreamingVad
from annotator.models import Utterance
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.utterance import transcribe_utterance
from tests.helpers.whisper import normalise, speech_with_gaps


def feed_in_random_blocks(seg: Segmenter, audio: np.ndarray, seed: int = 0) -> list[Utterance]:
    rng = np.random.default_rng(seed)
    out: list[Utterance] = []
    i = 0
    while i < len(audio):
        n = int(rng.integers(37, 4000))
        out += seg.feed(audio[i : i + n])
        i += n
    return out


def test_streaming_vad_matches_the_whole_file_model() -> None:
    audio, _, _ = speech_with_gaps()
    n = len(audio) // WINDOW * WINDOW
    vad = StreamingVad()
    streamed = np.concatenate([vad.process(audio[i : i + 7 * WINDOW]) for i in range(0, n, 7 * WINDOW)])
    whole = np.asarray(get_vad_model()(audio[:n])).reshape(-1)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=1e-5)
    assert streamed.max() > 0.9 and streamed.min() < 0.1


def test_one_utterance_per_clip_with_boundaries_near_the_silences() -> None:
    audio, spans, _ = speech_with_gaps(1.0)
    seg = Segmenter("You", silence_s=0.5)
    utts = feed_in_random_blocks(seg, audio) + seg.flush()
    assert len(utts) == len(spans)
    for u, (start, end) in zip(utts, spans):
        assert u.source == "You"
        assert start - 0.6 <= u.start <= start + 0.1, (u.start, start)
        assert end - 0.1 <= u.end <= end + 0.6, (u.end, end)
        assert len(u.audio) == pytest.approx((u.end - u.start) * 16000, abs=1)


def test_clock_follows_the_block_times_given() -> None:
    audio, spans, _ = speech_with_gaps(1.0)
    seg = Segmenter("Them")
    utts = seg.feed(audio[:16000], t=100.0) + seg.feed(audio[16000:]) + seg.flush()
    assert utts[0].start == pytest.approx(100.0 + spans[0][0], abs=0.6)


def test_long_speech_is_cut_at_a_pause_below_the_cap() -> None:
    audio, spans, _ = speech_with_gaps(0.3)  # pauses shorter than silence_s: one long stream of speech
    seg = Segmenter("You", silence_s=0.5, max_utterance_s=8.0)
    utts = feed_in_random_blocks(seg, audio, seed=3) + seg.flush()
    assert len(utts) >= 3
    assert all(u.end - u.start <= 8.0 + 1e-6 for u in utts)
    gaps = [(a[1], b[0]) for a, b in itertools.pairwise(spans)]
    for u in utts[:-1]:
        # each cut lies in (or within a window of) one of the inserted pauses
        assert any(g0 - 0.1 <= u.end <= g1 + 0.3 for g0, g1 in gaps), (u.end, gaps)
    total_speech = sum(e - s for s, e in spans)
    assert sum(u.end - u.start for u in utts) >= total_speech


def test_flush_at_stop_keeps_the_utterance_in_progress(whisper_model: WhisperModel) -> None:
    audio, spans, _refs = speech_with_gaps(1.0)
    start, _end = spans[1]  # "produced the block books, which were ..." (5 s)
    stop_at = int((start + 2.0) * 16000)  # Stop pressed 2 s into it
    seg = Segmenter("You")
    utts = seg.feed(audio[:stop_at])
    assert len(utts) == 1  # the first clip only; the second is still open
    last = seg.flush()
    assert len(last) == 1
    assert last[0].end == pytest.approx(stop_at / 16000, abs=0.001)
    text = normalise(transcribe_utterance(whisper_model, last[0], TranscribeOptions()))
    assert text.startswith("produced the block")
    assert seg.flush() == []


@pytest.mark.parametrize("level", [0.0, 0.003, 0.03])
def test_silence_and_noise_give_no_text(whisper_model: WhisperModel, level: float) -> None:
    rng = np.random.default_rng(7)
    audio = (rng.standard_normal(16000 * 6) * level).astype(np.float32)
    seg = Segmenter("You")
    utts = feed_in_random_blocks(seg, audio) + seg.flush()
    texts = [transcribe_utterance(whisper_model, u, TranscribeOptions()) for u in utts]
    assert all(t == "" for t in texts), texts


def test_partial_offers_grow_from_the_utterance_start_while_speech_goes_on() -> None:
    audio, spans, _ = speech_with_gaps(1.0)
    offers: list[Utterance] = []
    seg = Segmenter("You", on_partial=offers.append, partial_every_s=0.25)
    finals = feed_in_random_blocks(seg, audio) + seg.flush()
    assert len(finals) == len(spans)
    for final in finals:
        mine = [o for o in offers if o.start == final.start]
        # a 1.8-5.7 s clip gets an offer about every 0.25 s of it
        assert len(mine) >= int((final.end - final.start) / 0.25) // 2, (final.start, len(mine))
        ends = [o.end for o in mine]
        assert ends == sorted(ends) and ends[-1] <= final.end
        for o in mine:  # the audio so far: a prefix of the utterance to come
            np.testing.assert_array_equal(o.audio, final.audio[: len(o.audio)])
    assert all(any(o.start == f.start for f in finals) for o in offers)  # no offer for speech that was dropped


def test_no_partial_offers_without_a_listener_or_in_silence() -> None:
    offers: list[Utterance] = []
    seg = Segmenter("You", on_partial=offers.append)
    assert seg.feed(np.zeros(16000 * 3, dtype=np.float32)) == [] and offers == []
