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


def test_a_contradiction_may_cite_the_earlier_line_and_ask_a_follow_up() -> None:
    reply = json.loads(json.dumps(GOOD))
    reply["contradictions"][0].update(earlier_id="L57", follow_up="How long have you led the team?")
    reply["contradictions"].append(
        {"statement": "s", "earlier": "e", "explanation": "x", "earlier_id": 12, "follow_up": None}
    )
    first, second = parse_insight(json.dumps(reply)).contradictions
    assert (first.earlier_id, first.follow_up) == ("L57", "How long have you led the team?")
    assert (second.earlier_id, second.follow_up) == ("L12", "")
    assert parse_insight(json.dumps(GOOD)).contradictions[0].earlier_id == ""  # without them: still valid


@pytest.mark.parametrize(
    ("field", "value"), [("follow_up", ["a question"]), ("earlier_id", {"id": 3}), ("earlier_id", True)]
)
def test_a_citation_or_follow_up_of_the_wrong_type_is_rejected(field: str, value: object) -> None:
    reply = json.loads(json.dumps(GOOD))
    reply["contradictions"][0][field] = value
    with pytest.raises(InvalidInsight, match=f"contradictions\\[0\\].{field} is not a string"):
        parse_insight(json.dumps(reply))
