"""The one session clock: what the window, the export, the review prompt and the terminal print."""

from __future__ import annotations

import pytest

from annotator.analysis.review.parse import parse_time
from annotator.text.clock import timestamp


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00"),
        (75.4, "01:15"),
        (59.99, "00:59"),
        (3599.9, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (36_000, "10:00:00"),
        (-3, "00:00"),
    ],
)
def test_minutes_and_seconds_then_hours_past_the_hour(seconds: float, text: str) -> None:
    assert timestamp(seconds) == text


@pytest.mark.parametrize("seconds", [0, 75, 3599, 3600, 3723, 36_000])
def test_a_review_reply_reads_the_clock_back(seconds: int) -> None:
    # the review prompt stamps lines with this clock and the reply's times are parsed back
    assert parse_time(timestamp(seconds), "at") == seconds
    assert parse_time(f"[{timestamp(seconds)}]", "at") == seconds
