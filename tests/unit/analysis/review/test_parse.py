"""Strict parsing of a review part's reply: every field, fences and think blocks stripped, anything else refused."""

from __future__ import annotations

import json

import pytest

from annotator.analysis.review.parse import InvalidReview, parse_review
from tests.unit.analysis.review.helpers import pair, review_json


def test_parse_review_reads_every_field_and_strips_fence_and_think_block() -> None:
    text = review_json(
        confirmed=[pair("eighteen months", "[12:05]", "three years", "02:10", flag=1, reason="Tenure differs.")],
        rejected=[pair("we use Go", "1:00:03", "we use Python", "03:00", flag=2, reason="Two services.")],
        missed=[pair("no on-call", "20:00", "I ran on-call", "05:30", explanation="Both cannot hold.")],
        points=[{"at": "15:00", "label": "negative", "score": -0.6, "why": "Salary came up."}],
        questions=["Which is right: three years or eighteen months?", "  "],
    )
    part = parse_review(f"<think>\nlet me see\n</think>\n```json\n{text}\n```", frozenset({1, 2}))
    (c,) = part.confirmed
    assert (c.flag, c.statement, c.statement_at, c.earlier_at, c.explanation) == (
        1,
        "eighteen months",
        725.0,
        130.0,
        "Tenure differs.",
    )
    assert part.rejected[0].statement_at == 3603.0 and part.rejected[0].flag == 2
    assert part.missed[0].flag is None and part.missed[0].explanation == "Both cannot hold."
    assert part.arc.turning_points[0].at == 900.0 and part.arc.summary == "Calm throughout."
    assert part.questions == ("Which is right: three years or eighteen months?",)
    assert part.claims == ("[00:10] Candidate: led payments",)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("The candidate seemed fine.", "not a JSON object"),
        ("{}", "has no 'confirmed'"),
        (
            review_json(confirmed=[pair("a", "01:00", "b", "00:10", flag=7)]),
            "flag 7 is not one of the live flags given",
        ),
        (
            review_json(
                confirmed=[pair("a", "01:00", "b", "00:10", flag=1)],
                rejected=[pair("a", "01:00", "b", "00:10", flag=1, reason="x")],
            ),
            "live flag 1 is already confirmed",
        ),
        (review_json(rejected=[pair("a", "01:00", "b", "00:10", flag=1)]), "has no 'reason'"),
        (review_json(missed=[pair("a", "soon", "b", "00:10")]), "'soon' is not a time"),
        (review_json(missed=[pair("a", "01:75", "b", "00:10")]), "'01:75' is not a time"),
        (review_json(missed=[pair("", "01:00", "b", "00:10")]), "statement is empty"),
        (review_json(points=[{"at": "01:00", "label": "angry", "score": 0}]), "'angry' is not one of"),
        (review_json(points=[{"at": "01:00", "label": "negative", "score": -3}]), "is not a number from -1 to 1"),
        (review_json(summary=""), "summary is empty"),
        (json.dumps({"sentiment": {"label": "neutral", "score": 0}, "contradictions": []}), "has no 'confirmed'"),
    ],
)
def test_parse_review_is_strict(text: str, reason: str) -> None:
    with pytest.raises(InvalidReview, match=reason) as err:
        parse_review(text, frozenset({1}))
    assert not err.value.truncated


def test_a_cut_off_review_is_truncated_not_invalid() -> None:
    text = review_json(summary="A long summary")
    with pytest.raises(InvalidReview) as err:
        parse_review(text[: len(text) // 2])
    assert err.value.truncated
