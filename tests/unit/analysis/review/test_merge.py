"""Merging the parts' answers: each finding once, a confirmation wins, flags numbered as the live pass raised them."""

from __future__ import annotations

from annotator.analysis.review.flags import live_flags
from annotator.analysis.review.merge import merge_parts
from annotator.analysis.review.parse import parse_review
from annotator.journal.record import SessionRecord
from tests.unit.analysis.review.helpers import analysis_with, pair, review_json, transcript


def test_merge_keeps_each_finding_once_and_confirmation_wins() -> None:
    chunks = transcript(40)
    analyses = (
        analysis_with(chunks[10], (chunks[10].text[:30], "we used Python everywhere")),
        analysis_with(chunks[20], (chunks[20].text[:30], "I never managed anyone")),
    )
    flags = live_flags(SessionRecord(header={}, chunks=chunks, analyses=analyses))
    assert [(f.number, f.at) for f in flags] == [(1, 50.0), (2, 100.0)]
    same = pair("I was there three years", "02:30", "I joined last spring", "01:05", explanation="Tenure.")
    again = pair(
        "there three years, I think", "2:31", "joined last spring", "[01:04]"
    )  # the overlap, quoted differently
    flagged = pair("Line 010", "00:50", "we used Python everywhere", "00:05")  # the live pass had it
    parts = [
        parse_review(
            review_json(rejected=[pair("a", "00:50", "b", "00:05", flag=1, reason="No.")], missed=[same]),
            frozenset({1}),
        ),
        parse_review(
            review_json(
                confirmed=[pair("a", "00:50", "b", "00:05", flag=1)],
                missed=[again, flagged],
                points=[{"at": "02:00", "label": "negative", "score": -0.5, "why": "x"}],
                questions=["Which team did you lead?", "Why did you leave?"],
                summary="Whole session.",
            ),
            frozenset({1, 2}),
        ),
    ]
    result = merge_parts(parts, flags)
    assert [c.flag for c in result.confirmed] == [1] and result.rejected == ()
    assert result.unreviewed == (2,)
    assert result.verdicts() == {(0, 0): "confirmed"}
    assert [c.statement for c in result.missed] == ["I was there three years"]
    assert result.questions == ("Which team did you lead?", "Why did you leave?")
    assert result.summary == "Whole session." and len(result.arc.turning_points) == 1
