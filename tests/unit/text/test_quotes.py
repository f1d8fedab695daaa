"""The quote matcher of the exports: which transcript line a provider's quote came from."""

from __future__ import annotations

from annotator.models import Chunk
from annotator.text.quotes import MATCH_THRESHOLD, find_near, find_statement

CHUNKS = [Chunk(1, "", 0, 1, "We run everything on VMs."), Chunk(2, "", 1, 2, "I never used Kubernetes at all.")]


def test_the_line_with_the_quotes_words_or_none() -> None:
    assert find_statement("never used kubernetes", CHUNKS) == CHUNKS[1]
    assert find_statement("something unrelated entirely", CHUNKS) is None
    assert find_statement("", CHUNKS) is None


def test_the_threshold_is_a_share_of_the_quotes_words() -> None:
    assert MATCH_THRESHOLD == 0.6
    assert find_statement("we never used VMs here at all", CHUNKS) is None  # 3 of 7 words in the best line
    assert find_statement("I never used Kubernetes anywhere", CHUNKS) == CHUNKS[1]  # 4 of 5


def test_a_whole_phrase_wins_over_a_larger_share() -> None:
    lines = [Chunk(1, "", 0, 1, "used all of it, never Kubernetes"), Chunk(2, "", 1, 2, "we never used Kubernetes")]
    assert find_statement("never used Kubernetes", lines) == lines[1]


def test_near_prefers_a_match_close_to_the_reviewers_time_then_the_line_spoken_then() -> None:
    lines = [Chunk(1, "", 0, 2, "I love Python."), Chunk(2, "", 30, 32, "Nothing here."), Chunk(3, "", 60, 62, "I love Python.")]
    assert find_near("I love Python", 61.0, lines) == lines[2]
    assert find_near("I love Python", 1.0, lines) == lines[0]
    assert find_near("completely different words", 31.0, lines) == lines[1]
    assert find_near("completely different words", 45.0, lines) is None
