"""A change of speaker inside one utterance, with no pause, on real voices back to back."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.speakers.changes import find_change, find_changes
from annotator.speakers.embedding import SpeakerEmbedder
from tests.helpers.conversation import SR, voices


@pytest.fixture(scope="module")
def embedder() -> SpeakerEmbedder:
    return SpeakerEmbedder()


@pytest.fixture(scope="module")
def pool() -> dict[str, list[np.ndarray]]:
    return voices()


def test_two_voices_back_to_back_change_where_the_second_begins(
    embedder: SpeakerEmbedder, pool: dict[str, list[np.ndarray]]
) -> None:
    for (first, i), (second, j) in (
        (("lj", 1), ("presenter", 0)),
        (("presenter", 1), ("hotwords", 0)),
        (("hotwords", 0), ("lj", 1)),
    ):
        a, b = pool[first][i], pool[second][j]
        assert len(a) >= 2 * SR and len(b) >= 2 * SR
        change = find_change(embedder.windows(np.concatenate([a, b])))
        assert change is not None, (first, second)
        assert abs(change.at - len(a) / SR) <= 0.6, (first, second, change)


def test_one_voice_is_never_split(embedder: SpeakerEmbedder, pool: dict[str, list[np.ndarray]]) -> None:
    for name in pool:
        for i in range(len(pool[name]) - 1):
            joined = np.concatenate([pool[name][i], pool[name][i + 1]])  # two phrases of one speaker, no pause
            assert find_changes(embedder.windows(joined)) == [], name


def test_a_part_too_short_to_know_its_voice_is_not_split_off(
    embedder: SpeakerEmbedder, pool: dict[str, list[np.ndarray]]
) -> None:
    short = pool["jfk"][0][: int(1.5 * SR)]
    assert find_change(embedder.windows(np.concatenate([short, pool["presenter"][0]]))) is None


def test_three_voices_back_to_back_are_three_parts(
    embedder: SpeakerEmbedder, pool: dict[str, list[np.ndarray]]
) -> None:
    parts = [pool["presenter"][0], pool["lj"][1], pool["hotwords"][0]]
    changes = find_changes(embedder.windows(np.concatenate(parts)))
    joins = np.cumsum([len(p) / SR for p in parts])[:-1]
    assert len(changes) == 2, changes
    assert all(abs(c.at - j) <= 0.6 for c, j in zip(changes, joins)), (changes, joins)
