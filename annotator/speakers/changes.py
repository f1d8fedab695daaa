"""A change of speaker inside one utterance (no pause between them), found from its window embeddings.

The d-vector of an utterance is the mean of its 0.8 s window embeddings (every
0.4 s, ``embedding.SpeakerEmbedder.windows``), so the voice of any part of it
costs nothing more. ``find_change`` tries each window as the boundary: the
windows before it against the windows after it (the one straddling it left
out), and keeps the least alike. It is a change only when it can be relied on:
both parts at least ``MIN_PART_WINDOWS`` windows (2 s of speech each) and their
voices at most ``MAX_SIMILARITY`` alike, and the least alike split not at the edge of the
search (else the change may lie in a part too short to know, and the cut would land off it). ``find_changes`` finds several (three voices
back to back), each part searched again on its own.

Measured (``benchmarks/speakers.py``'s voices): one speaker's utterance of 4 s
or more (a phrase, or two of them back to back) at its least alike split
scores 0.70-0.97; two speakers back to back with 2 s or more each score
0.26-0.53 at their best split, found within 0.55 s of the true change (most
within 0.25 s). 0.6 lies between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotator.speakers.embedding import STRIDE_S, WINDOW_S, mean_vector

MIN_PART_WINDOWS = 4
"""Windows on each side of a change (4: about 2 s of speech)."""

MAX_SIMILARITY = 0.6
"""The two parts' voices at most this alike (cosine of their d-vectors)."""


@dataclass(frozen=True)
class Change:
    """The voice changes ``at`` seconds into the utterance; ``similarity``: of the parts' voices."""

    at: float
    similarity: float
    window: int  # the window straddling the change: windows[:window] before it, windows[window + 1:] after


def find_change(
    windows: np.ndarray, *, min_part: int = MIN_PART_WINDOWS, max_similarity: float = MAX_SIMILARITY
) -> Change | None:
    """The reliable change of speaker among ``windows`` (n, 256) of one utterance, else None."""
    last = len(windows) - min_part - 1
    if last < min_part:
        return None
    scores = [float(mean_vector(windows[:k]) @ mean_vector(windows[k + 1 :])) for k in range(min_part, last + 1)]
    k = min_part + int(np.argmin(scores))
    if scores[k - min_part] > max_similarity:
        return None
    if len(scores) > 1 and k in (min_part, last):
        return None  # least alike at the edge of the search: the change may lie in a part too short to know
    return Change(k * STRIDE_S + WINDOW_S / 2, scores[k - min_part], k)


def find_changes(
    windows: np.ndarray, *, min_part: int = MIN_PART_WINDOWS, max_similarity: float = MAX_SIMILARITY
) -> list[Change]:
    """Every reliable change of speaker among ``windows``, in order: the clearest one, then the same
    search on each side of it (binary segmentation), each part keeping ``min_part`` windows."""
    change = find_change(windows, min_part=min_part, max_similarity=max_similarity)
    if change is None:
        return []
    k = change.window
    after = [
        Change(c.at + (k + 1) * STRIDE_S, c.similarity, c.window + k + 1)
        for c in find_changes(windows[k + 1 :], min_part=min_part, max_similarity=max_similarity)
    ]
    return [*find_changes(windows[:k], min_part=min_part, max_similarity=max_similarity), change, *after]
