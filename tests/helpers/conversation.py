"""Conversations of real recorded voices, assembled from tests/data, with who spoke when.

Voices: LJ Speech (the five clips), John F. Kennedy (jfk.flac, cut at its pauses), the
RealtimeSTT presenter (sentences of asr-reference.wav) and the hotwords clip's speaker.
Turns follow each other with 0.5-1 s of silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from annotator.audio.decode import decode_file
from annotator.models import Utterance

DATA = Path(__file__).resolve().parent.parent / "data"
SR = 16000


def phrases(audio: np.ndarray, min_gap_s: float = 0.25, relative: float = 0.1, min_s: float = 1.0) -> list[np.ndarray]:
    """``audio`` cut where its energy stays under ``relative`` x its 95th percentile for ``min_gap_s``;
    pieces shorter than ``min_s`` are dropped."""
    hop = 160
    n = len(audio) // hop
    energy = np.sqrt(np.mean(audio[: n * hop].reshape(n, hop) ** 2, axis=1))
    loud = energy > relative * np.percentile(energy, 95)
    runs: list[list[int]] = []
    start = None
    for i, on in enumerate(loud):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs.append([start, i])
            start = None
    if start is not None:
        runs.append([start, n])
    merged: list[list[int]] = []
    for s, e in runs:
        if merged and (s - merged[-1][1]) * hop / SR < min_gap_s:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    return [audio[s * hop : e * hop] for s, e in merged if (e - s) * hop / SR >= min_s]


def voices() -> dict[str, list[np.ndarray]]:
    """Turns per voice, 16 kHz mono, each at least 1 s."""
    return {
        "lj": [decode_file(p) for p in sorted((DATA / "ljspeech").glob("*.wav"))],
        "jfk": phrases(decode_file(DATA / "jfk.flac")),
        "presenter": [p[: 4 * SR] for p in phrases(decode_file(DATA / "realtimestt" / "asr-reference.wav"))[:5]],
        "hotwords": phrases(decode_file(DATA / "hotwords.mp3")),
    }


@dataclass(frozen=True)
class Conversation:
    audio: np.ndarray
    turns: tuple[tuple[float, float, str], ...]  # (start, end, voice)

    def voice_at(self, start: float, end: float) -> str:
        """The voice that said most of ``start``-``end``."""
        said: dict[str, float] = {}
        for s, e, v in self.turns:
            said[v] = said.get(v, 0.0) + max(0.0, min(end, e) - max(start, s))
        return max(said, key=lambda v: said[v])

    def write(self, path: Path) -> Path:
        sf.write(path, self.audio, SR)
        return path


def conversation(
    names: list[str], order: list[int], seed: int = 0, pauses: tuple[float, float] = (0.5, 1.0)
) -> Conversation:
    """Turns by ``names[i]`` for i in ``order``, each voice's turns in order (cycled),
    with ``pauses`` (from, to) seconds of silence between turns ((0, 0): none) and 0.5 s at each end."""
    pool = voices()
    rng = np.random.default_rng(seed)
    used = dict.fromkeys(names, 0)
    parts = [np.zeros(SR // 2, np.float32)]
    turns = []
    t = 0.5
    for i in order:
        who = names[i]
        piece = pool[who][used[who] % len(pool[who])]
        used[who] += 1
        turns.append((t, t + len(piece) / SR, who))
        gap = int(rng.uniform(*pauses) * SR)
        parts += [piece.astype(np.float32), np.zeros(gap, np.float32)]
        t += (len(piece) + gap) / SR
    return Conversation(np.concatenate(parts), tuple(turns))


def utterances(conv: Conversation, source: str = "You") -> list[Utterance]:
    """The conversation's turns as the segmenter would cut them (one utterance per turn)."""
    return [Utterance(source, s, e, conv.audio[int(s * SR) : int(e * SR)]) for s, e, _ in conv.turns]
