"""Speakers of real conversations, and the stage that labels the live path's chunks."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from annotator.models import Chunk, Utterance
from annotator.speakers.embedding import SpeakerEmbedder, window_count
from annotator.speakers.stage import SpeakerModel, Speakers, SpeakerStage, speakers_for
from tests.helpers.conversation import SR, conversation, utterances, voices

FOUR = ["lj", "jfk", "presenter", "hotwords"]
ORDER = [0, 1, 2, 3, 0, 2, 1, 0, 3, 2, 1, 0]


@pytest.fixture(scope="module")
def embedder() -> SpeakerEmbedder:
    return SpeakerEmbedder()


def best_share(truth: list[str], got: list[str]) -> float:
    """Share of turns whose id maps to their voice, under the best one-to-one mapping."""
    ids = sorted(set(got))
    best = 0
    for perm in itertools.permutations(sorted(set(truth)), min(len(ids), len(set(truth)))):
        mapping = dict(zip(ids, perm))
        best = max(best, sum(1 for t, g in zip(truth, got) if mapping.get(g) == t))
    return best / len(truth)


def test_four_real_voices_are_four_speakers(embedder: SpeakerEmbedder) -> None:
    conv = conversation(FOUR, ORDER, seed=1)
    speakers = Speakers(embedder)
    got = [speakers.utterance(u) for u in utterances(conv)]
    truth = [v for _, _, v in conv.turns]
    assert speakers.clusters.count == 4, got
    assert best_share(truth, got) >= 0.9, (truth, got)
    assert got[0] == "S1" and got[1] == "S2"  # ids in the order voices are first heard
    assert speakers.embedded == len(got) and speakers.cpu_s > 0


def test_a_merged_chunk_goes_to_who_said_most_of_it(embedder: SpeakerEmbedder) -> None:
    conv = conversation(["lj", "jfk"], [0, 1, 0], seed=2)
    speakers = Speakers(embedder)
    us = utterances(conv)
    ids = [speakers.utterance(u) for u in us]
    assert ids[0] == ids[2] != ids[1]
    longest = max(range(3), key=lambda i: us[i].end - us[i].start)
    merged = Chunk(1, "You", us[0].start, us[2].end, "all three")
    assert speakers.label(merged).speaker == speakers.of_span("You", us[0].start, us[2].end)
    assert speakers.label(Chunk(2, "Them", us[0].start, us[0].end, "x")).speaker == ""  # no turn of that source
    assert ids[longest] in ids


def test_the_stage_labels_chunks_in_order_on_its_thread(embedder: SpeakerEmbedder) -> None:
    conv = conversation(["lj", "presenter"], [0, 1, 0, 1], seed=3)
    out: list[Chunk] = []
    done = threading.Event()

    def take(chunk: Chunk) -> None:
        out.append(chunk)
        if len(out) == 4:
            done.set()

    stage = SpeakerStage(Speakers(embedder), take)
    stage.start()
    for i, u in enumerate(utterances(conv)):
        stage.add_utterance(u)  # as the segmenter does, before the worker makes its chunk
        stage.add_chunk(Chunk(i + 1, u.source, u.start, u.end, f"line {i + 1}"))
    assert done.wait(60)
    assert stage.stop(30)
    assert [c.id for c in out] == [1, 2, 3, 4]
    assert [c.speaker for c in out] == ["S1", "S2", "S1", "S2"]


def test_a_failing_embedding_leaves_the_chunk_unlabelled() -> None:
    class Broken:
        def embed(self, audio: object) -> object:
            raise RuntimeError("no")

    out: list[Chunk] = []
    stage = SpeakerStage(Speakers(Broken()), out.append)  # type: ignore[arg-type]
    stage.start()
    stage.add_utterance(Utterance("You", 0.0, 1.0, None))
    stage.add_chunk(Chunk(1, "You", 0.0, 1.0, "hello"))
    assert stage.stop(10)
    assert out == [Chunk(1, "You", 0.0, 1.0, "hello")]


def test_speaker_separation_can_be_off() -> None:
    assert speakers_for(False, None) is None
    made = speakers_for(True, 3)
    assert made is not None and made.clusters.expected == 3


def test_the_transcriber_may_not_merge_across_a_change_of_speaker(embedder: SpeakerEmbedder) -> None:
    conv = conversation(["lj", "jfk"], [0, 0, 1], seed=5)
    us = utterances(conv)
    stage = SpeakerStage(Speakers(embedder), lambda chunk: None)
    for u in us:
        stage.add_utterance(u)
    stage.start()  # the answers wait for the embeddings queued before them
    assert stage.same_speaker(us[0], us[1])
    assert not stage.same_speaker(us[1], us[2])
    assert stage.stop(30)
    unknown = Utterance("Them", 0.0, 1.0, None)
    assert stage.same_speaker(us[2], unknown)  # not embedded: nothing known against merging


def test_an_utterance_embedded_while_provisional_is_not_embedded_again(embedder: SpeakerEmbedder) -> None:
    class Counting:
        windows_made = 0

        def windows(self, audio: np.ndarray, first: int = 0) -> np.ndarray:
            made = embedder.windows(audio, first)
            Counting.windows_made += len(made)
            return made

        def embed(self, audio: np.ndarray) -> np.ndarray:
            raise AssertionError("every utterance here is long enough for windows")

    conv = conversation(["lj", "presenter"], [0, 1], seed=6)
    first, second = utterances(conv)
    out: list[Chunk] = []
    stage = SpeakerStage(Speakers(Counting()), out.append)  # type: ignore[arg-type]
    stage.start()
    stage.add_provisional(first)  # the silence began: embedded at once
    stage.add_utterance(first)  # confirmed, unchanged: the embedding is reused
    stage.add_provisional(Utterance("You", second.start, second.end - 0.5, second.audio[:-8000]))
    stage.add_utterance(second)  # speech went on after the provisional cut: only its new windows are embedded
    stage.add_chunk(Chunk(1, "You", first.start, first.end, "one"))
    stage.add_chunk(Chunk(2, "You", second.start, second.end, "two"))
    assert stage.stop(30)
    assert Counting.windows_made == window_count(len(first.audio)) + window_count(len(second.audio))
    assert [c.speaker for c in out] == ["S1", "S2"]


def test_a_change_of_speaker_inside_an_utterance_is_two_turns(embedder: SpeakerEmbedder) -> None:
    pool = voices()
    a, b = pool["lj"][1], pool["presenter"][0]
    u = Utterance("You", 10.0, 10.0 + (len(a) + len(b)) / SR, np.concatenate([a, b]))
    speakers = Speakers(embedder)
    turns = speakers.turns_for(u)
    assert len(turns) == 2 and turns[0].speaker != turns[1].speaker, turns
    assert abs(turns[1].start - (10.0 + len(a) / SR)) <= 0.6
    assert (turns[0].start, turns[-1].end) == (u.start, u.end)
    more = np.concatenate([pool["presenter"][1], pool["presenter"][2]])  # one voice, no pause: one turn
    one = speakers.turns_for(Utterance("You", 30.0, 30.0 + len(more) / SR, more))
    assert [t.speaker for t in one] == [turns[1].speaker]
    assert speakers.splits == 1


def test_an_utterance_in_progress_tells_its_speaker_and_its_changes_before_it_ends(embedder: SpeakerEmbedder) -> None:
    pool = voices()
    speakers = Speakers(embedder)
    known = pool["presenter"][0]
    assert speakers.utterance(Utterance("You", 0.0, len(known) / SR, known)) == "S1"

    def offer(start: float, audio: np.ndarray) -> Utterance:
        u = Utterance("You", start, start + len(audio) / SR, audio)
        speakers.progress(u)
        return u

    again = pool["presenter"][1]
    offer(10.0, again[: int(0.6 * SR)])
    assert speakers.current("You", 10.0) == ""  # too little heard
    offer(10.0, again[: int(1.5 * SR)])
    assert speakers.current("You", 10.0) == "S1"
    assert speakers.current("You", 9.0) == ""  # another utterance
    new = pool["lj"][1]
    offer(20.0, new[: 2 * SR])
    assert speakers.current("You", 20.0) == ""  # a voice not heard before: nobody yet

    both = np.concatenate([pool["lj"][1], pool["presenter"][2]])  # a new voice, then the presenter, no pause
    join = 30.0 + len(pool["lj"][1]) / SR
    u = None
    for end in range(SR // 2, len(both) + 1, SR // 2):
        u = offer(30.0, both[:end])
    assert u is not None
    changes = speakers.changes_in(u)
    assert len(changes) == 1 and abs(changes[0] - join) <= 0.6, changes
    assert speakers.current("You", 30.0) == ""  # two voices in it: none named
    final = Utterance("You", 30.0, 30.0 + len(both) / SR, both)
    assert [t.speaker for t in speakers.turns_for(final)] == ["S2", "S1"]
    assert speakers.changes_in(final) == ()  # ended: nothing in progress


def test_the_speaker_model_is_loaded_once_and_shared() -> None:
    model = SpeakerModel()
    first, second = model.get(), model.get()
    assert first is second and model.loads == 1
    a, b = speakers_for(True, None, model.get()), speakers_for(True, 2, model.get())
    assert a is not None and b is not None and a.embedder is b.embedder is first
