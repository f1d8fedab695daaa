"""The bundled d-vector model on real recorded voices, with the numpy features."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.audio.decode import decode_file
from annotator.speakers.embedding import DIMENSIONS, SpeakerEmbedder, log_mel, mel_filterbank
from tests.helpers.conversation import DATA, voices


@pytest.fixture(scope="module")
def embedder() -> SpeakerEmbedder:
    return SpeakerEmbedder()


def test_mel_filterbank_is_librosas_slaney_shape() -> None:
    fb = mel_filterbank()
    assert fb.shape == (40, 257)
    assert (fb >= 0).all()
    # every band has a peak, the bands rise in frequency, and area normalisation makes high bands lower
    peaks = fb.argmax(axis=1)
    assert (np.diff(peaks) >= 0).all() and peaks[-1] > peaks[0]
    assert fb[0].max() > fb[-1].max()


def test_log_mel_frames_and_short_audio() -> None:
    audio = decode_file(DATA / "jfk.flac")[:16000]
    feat = log_mel(audio)
    assert feat.shape == (1 + (16000 - 512) // 160, 40)
    assert log_mel(np.zeros(100, np.float32)).shape == (0, 40)


def test_same_voice_is_closer_than_another(embedder: SpeakerEmbedder) -> None:
    pool = voices()
    lj = [embedder.embed(a) for a in pool["lj"][:3]]
    others = [embedder.embed(pool[v][0]) for v in ("jfk", "presenter", "hotwords")]
    for e in lj + others:
        assert e.shape == (DIMENSIONS,)
        assert abs(float(np.linalg.norm(e)) - 1.0) < 1e-4
    same = min(float(a @ b) for i, a in enumerate(lj) for b in lj[i + 1 :])
    different = max(float(a @ b) for a in lj for b in others)
    assert same > 0.7, same
    assert different < 0.6, different
    assert same - different > 0.15


def test_a_clip_shorter_than_a_window_still_embeds(embedder: SpeakerEmbedder) -> None:
    clip = voices()["lj"][0]
    short = embedder.embed(clip[:8000])  # 0.5 s
    assert float(short @ embedder.embed(clip)) > 0.5
    assert np.isfinite(embedder.embed(np.zeros(100, np.float32))).all()
