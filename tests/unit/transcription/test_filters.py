"""The segment filters, on decoded segments built by hand: no model needed."""

from __future__ import annotations

import pytest
from faster_whisper.transcribe import Segment

from annotator.transcription.filters import TranscribeOptions, collapse_repeats, segment_text


def _segment(text: str, no_speech_prob: float = 0.05, avg_logprob: float = -0.3) -> Segment:
    return Segment(0, 0, 0.0, 1.0, text, [], avg_logprob, 1.2, no_speech_prob, None, 0.0)


@pytest.mark.parametrize("text", [".", " ... ", "?!", "♪", "- -", "…", ""])
def test_text_without_a_letter_or_digit_is_not_speech(text: str) -> None:
    # a confident segment (low no_speech_prob, good logprob) is still dropped: "." is what the
    # model returned for white noise at level 0.002 with the energy gate off
    assert segment_text(_segment(text), TranscribeOptions()) == ""


@pytest.mark.parametrize("text", ["Yes.", "42", "Ça va.", "日本語", " OK "])
def test_text_with_a_letter_or_digit_is_kept(text: str) -> None:
    assert segment_text(_segment(text), TranscribeOptions()) == text.strip()


@pytest.mark.parametrize(
    ("looped", "kept"),
    [
        ("And so my fellow Americans. And so my fellow Americans.", "And so my fellow Americans."),
        ("We ship on Fridays, we ship on Fridays, we ship on Fridays.", "We ship on Fridays,"),
        ("I said the team, the team of six was mine.", "I said the team, the team of six was mine."),
        ("No, no. It was very, very hard.", "No, no. It was very, very hard."),
        ("", ""),
    ],
)
def test_a_phrase_the_model_wrote_twice_in_a_row_is_kept_once(looped: str, kept: str) -> None:
    assert collapse_repeats(looped) == kept
