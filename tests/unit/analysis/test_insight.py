from __future__ import annotations

import json

import pytest

from annotator.analysis.insight import InvalidInsight, parse_insight
from annotator.models import Contradiction, Insight, Sentiment

GOOD = {
    "sentiment": {"label": "negative", "score": -0.6},
    "contradictions": [
        {"statement": "eighteen months", "earlier": "about three years", "explanation": "Tenure differs."}
    ],
    "claims": ["Candidate: led backend team ~3 years", "Team of six"],
    "summary": "Tenure now contradicts the earlier answer.",
}


def test_parses_the_design_shape() -> None:
    insight = parse_insight(json.dumps(GOOD))
    assert insight == Insight(
        Sentiment("negative", -0.6),
        (Contradiction("eighteen months", "about three years", "Tenure differs."),),
        ("Candidate: led backend team ~3 years", "Team of six"),
        "Tenure now contradicts the earlier answer.",
    )


def test_code_fence_is_stripped_and_claims_bounded() -> None:
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    assert parse_insight(fenced, max_claims=1).claims == ("Team of six",)


@pytest.mark.parametrize(
    ("reply", "reason", "truncated"),
    [
        ("Sure! Here is the analysis: the candidate seems positive.", "not a JSON object", False),
        (json.dumps(GOOD)[:70], "truncated JSON", True),
        ("", "empty", False),
        ('{"sentiment": {"label": "happy", "score": 0.5}}', "sentiment.label 'happy'", False),
        ('{"sentiment": {"label": "positive", "score": 3}}', "sentiment.score 3", False),
        ('{"sentiment": {"label": "positive", "score": 0.1}, "claims": [1]}', "claims", False),
        (
            '{"sentiment": {"label": "positive", "score": 0.1}, "contradictions": [{"statement": "x"}]}',
            r"contradictions\[0\] has no 'earlier'",
            False,
        ),
        ('{"sentiment": {"label": "positive", "score": 0.1}} trailing', "not valid JSON", False),
        ("[1, 2]", "not a JSON object", False),
    ],
)
def test_rejections_say_why(reply: str, reason: str, truncated: bool) -> None:
    with pytest.raises(InvalidInsight, match=reason) as info:
        parse_insight(reply)
    assert info.value.truncated is truncated
