"""Online clustering of utterance embeddings into speakers, per source.

Each source ("You", "Them", a file) has its own set of voices; ids are
numbered across the session (``S1``, ``S2``, ...) in the order voices are
first heard, and never change. An utterance joins the closest voice of its
source when the cosine similarity to that voice's centroid is at least
``threshold``, else it starts a new voice (unless the expected count is
reached, when it joins the closest). Utterances shorter than ``min_new_s``
carry too little voice to start a speaker or move a centroid: they go to
the closest voice when it is plausible, else to the source's last speaker.

Thresholds measured on real clips (the d-vector of ``embedding.py``): the same
speaker scores 0.80-0.91 between utterances of 2-5 s, but as little as 0.52
for a noisy 2 s phrase (JFK's first); different speakers 0.04-0.54. Against a
voice's running average the margins widen. ``benchmarks/speakers.py`` swept the
threshold over 15 conversations of 2-4 voices: 0.45 merged voices (3 of 4
found), 0.62 split one (5 of 4), 0.5-0.55 found every count; 0.55 had no
speaker confusion above 0.5 %. Easing the threshold by up to 0.05 for a voice
heard only briefly (``YOUNG_*``) keeps a noisy first phrase from splitting its
speaker in two and changed none of those results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

THRESHOLD = 0.55
"""Cosine to a centroid at or above which an utterance is that voice."""

PLAUSIBLE = 0.45
"""A short utterance goes to the closest voice only when at least this close."""

YOUNG_S = 5.0
YOUNG_EASING = 0.05
"""A voice heard for less than ``YOUNG_S`` has a noisy average: joining it needs up to ``YOUNG_EASING``
less similarity (all of it for a voice heard once briefly, none from ``YOUNG_S`` of speech on)."""

MIN_NEW_S = 1.0
"""Utterances shorter than this never start a new speaker nor move a centroid."""


MAX_MEMBERS = 100
"""Utterances a voice remembers for a split (its first and the latest): bounds the cost of looking."""

SPLIT_MIN_MEMBERS = 4
SPLIT_GAP = 0.1
"""With ``expected`` given and fewer voices found, a voice of at least ``SPLIT_MIN_MEMBERS`` utterances
whose utterances fall in two groups (2-means) each tighter (mean cosine to its own average) by at least
``SPLIT_GAP`` than the two groups' averages are alike is two voices from then on (``SpeakerClusters``)."""


@dataclass
class _Voice:
    id: str
    total: np.ndarray
    seconds: float = 0.0
    members: list[tuple[np.ndarray, float]] = field(default_factory=list)  # (embedding, seconds) joined

    @property
    def centroid(self) -> np.ndarray:
        unit: np.ndarray = self.total / (np.linalg.norm(self.total) + 1e-12)
        return unit


@dataclass
class _Source:
    voices: list[_Voice] = field(default_factory=list)
    last: str = ""


def _unit(v: np.ndarray) -> np.ndarray:
    unit: np.ndarray = v / (np.linalg.norm(v) + 1e-12)
    return unit


class SpeakerClusters:
    """Speaker ids for embeddings, online. ``expected`` (``--speakers N``): at most N voices per session.

    Not thread-safe: one owner (the speaker stage's thread, or the file loop) calls ``assign``.
    """

    def __init__(
        self,
        expected: int | None = None,
        *,
        threshold: float = THRESHOLD,
        plausible: float = PLAUSIBLE,
        min_new_s: float = MIN_NEW_S,
    ) -> None:
        if expected is not None and expected < 1:
            raise ValueError("expected speakers must be at least 1")
        self.expected = expected
        self.threshold = threshold
        self.plausible = plausible
        self.min_new_s = min_new_s
        self._sources: dict[str, _Source] = {}
        self._count = 0
        self.splits = 0  # voices split in two because fewer than ``expected`` were found

    @property
    def count(self) -> int:
        """Voices found so far, over every source."""
        return self._count

    def _new(self, src: _Source, embedding: np.ndarray, seconds: float) -> str:
        self._count += 1
        voice = _Voice(f"S{self._count}", embedding * seconds, seconds, [(embedding, seconds)])
        src.voices.append(voice)
        return voice.id

    def _split(self, src: _Source, voice: _Voice, embedding: np.ndarray) -> str:
        """``voice`` (which ``embedding`` just joined) as two voices when its utterances fall clearly in
        two groups; the group of its first utterance keeps its id. The id ``embedding`` ends up with."""
        x = np.stack([m for m, _ in voice.members])
        w = np.array([sec for _, sec in voice.members])
        sims = x @ x.T
        i, j = np.unravel_index(int(np.argmin(sims)), sims.shape)
        ca, cb = x[i], x[j]
        first = np.zeros(len(x), dtype=bool)
        for _ in range(10):
            first = (x @ ca) >= (x @ cb)
            if first.sum() < 2 or (~first).sum() < 2:
                return voice.id
            ca = _unit((x[first] * w[first, None]).sum(axis=0))
            cb = _unit((x[~first] * w[~first, None]).sum(axis=0))
        tight = min(float((x[first] @ ca).mean()), float((x[~first] @ cb).mean()))
        if tight - float(ca @ cb) < SPLIT_GAP:
            return voice.id
        keep = first if first[0] else ~first
        members = voice.members
        voice.members = [m for m, k in zip(members, keep) if k]
        voice.total = sum((e * sec for e, sec in voice.members), np.zeros_like(embedding))
        voice.seconds = float(sum(sec for _, sec in voice.members))
        self._count += 1
        other = [m for m, k in zip(members, keep) if not k]
        total = sum((e * sec for e, sec in other), np.zeros_like(embedding))
        new = _Voice(f"S{self._count}", total, float(sum(sec for _, sec in other)), other)
        src.voices.append(new)
        self.splits += 1
        return voice.id if keep[-1] else new.id

    def _threshold_of(self, voice: _Voice) -> float:
        return self.threshold - YOUNG_EASING * max(0.0, 1.0 - voice.seconds / YOUNG_S)

    def assign(self, source: str, embedding: np.ndarray, seconds: float) -> str:
        """The speaker id of an utterance of ``seconds`` from ``source`` with this unit-length ``embedding``."""
        src = self._sources.setdefault(source, _Source())
        if not src.voices:
            sid = self._new(src, embedding, max(seconds, 1e-3))
            src.last = sid
            return sid
        sims = np.array([float(v.centroid @ embedding) for v in src.voices])
        best = int(np.argmax(sims))
        voice = src.voices[best]
        full = self.expected is not None and self._count >= self.expected
        if seconds < self.min_new_s:
            sid = voice.id if sims[best] >= self.plausible or full else src.last
        elif sims[best] >= self._threshold_of(voice) or full:
            voice.total = voice.total + embedding * seconds
            voice.seconds += seconds
            voice.members.append((embedding, seconds))
            if len(voice.members) > MAX_MEMBERS:  # the first (whose group keeps the id) and the latest
                del voice.members[1 : -(MAX_MEMBERS - 1)]
            sid = voice.id
            if self.expected is not None and self._count < self.expected and len(voice.members) >= SPLIT_MIN_MEMBERS:
                sid = self._split(src, voice, embedding)
        else:
            sid = self._new(src, embedding, seconds)
        src.last = sid
        return sid

    def clear_match(self, source: str, embedding: np.ndarray) -> str:
        """The voice of ``source`` that ``embedding`` clearly is, without learning from it (for an
        utterance still in progress): at or above the threshold to it, under it to every other; else ""."""
        src = self._sources.get(source)
        if src is None or not src.voices:
            return ""
        sims = sorted(((float(v.centroid @ embedding), v.id) for v in src.voices), reverse=True)
        if sims[0][0] < self.threshold or (len(sims) > 1 and sims[1][0] >= self.threshold):
            return ""
        return sims[0][1]
