"""Online clustering of embeddings into speaker ids, per source."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.speakers.clustering import SpeakerClusters


def unit(*values: float) -> np.ndarray:
    v = np.zeros(8, np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


A, B, C = unit(1, 0.1), unit(0, 1, 0.1), unit(0.1, 0, 1)


def test_new_voices_get_new_ids_and_known_ones_their_own() -> None:
    clusters = SpeakerClusters()
    got = [clusters.assign("You", e, 3.0) for e in (A, B, A, C, B, unit(1, 0.2))]
    assert got == ["S1", "S2", "S1", "S3", "S2", "S1"]
    assert clusters.count == 3


def test_short_utterances_never_start_a_speaker() -> None:
    clusters = SpeakerClusters()
    assert clusters.assign("You", A, 3.0) == "S1"
    assert clusters.assign("You", B, 0.6) == "S1"  # too short to be somebody new: the current speaker
    assert clusters.assign("You", B, 2.0) == "S2"
    assert clusters.assign("You", unit(1, 0.15), 0.5) == "S1"  # short, but plainly S1's voice
    assert clusters.count == 2


def test_the_expected_count_is_never_exceeded() -> None:
    clusters = SpeakerClusters(expected=2)
    got = [clusters.assign("You", e, 3.0) for e in (A, B, C)]
    assert got[:2] == ["S1", "S2"] and got[2] in ("S1", "S2")
    assert clusters.count == 2
    with pytest.raises(ValueError):
        SpeakerClusters(expected=0)


def test_sources_cluster_apart_with_ids_unique_in_the_session() -> None:
    clusters = SpeakerClusters()
    assert clusters.assign("You", A, 3.0) == "S1"
    assert clusters.assign("Them", A, 3.0) == "S2"  # the other input: another person, whatever the voice
    assert clusters.assign("Them", B, 3.0) == "S3"
    assert clusters.assign("You", A, 3.0) == "S1"


def test_with_a_voice_expected_but_not_found_a_voice_of_two_groups_is_split_from_then_on() -> None:
    from annotator.speakers.embedding import SpeakerEmbedder
    from tests.helpers.conversation import voices

    pool = voices()
    embedder = SpeakerEmbedder()
    lj = [embedder.embed(a) for a in pool["lj"]]
    presenter = [embedder.embed(a) for a in pool["presenter"]]
    # two alike voices (as the sample interview's espeak ones are to this model): everything joins one
    merged = SpeakerClusters(threshold=-1.0)
    assert {merged.assign("You", e, 3.0) for e in [*lj[:3], *presenter[:3]]} == {"S1"}
    told = SpeakerClusters(2, threshold=-1.0)
    got = [told.assign("You", e, 3.0) for e in [lj[0], presenter[0], lj[1], presenter[1], lj[2], presenter[2]]]
    later = [told.assign("You", e, 3.0) for e in [lj[3], presenter[3], lj[4], presenter[4]]]
    assert got[:3] == ["S1"] * 3 and told.splits == 1 and told.count == 2
    assert later == ["S1", "S2", "S1", "S2"]  # the first voice heard keeps S1
    for voice in (lj, presenter):  # one real voice (five utterances), two expected: never split
        one = SpeakerClusters(2, threshold=-1.0)
        assert {one.assign("You", e, 3.0) for e in voice} == {"S1"} and one.splits == 0
