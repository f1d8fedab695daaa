"""Parse a provider's reply into an ``Insight``, strictly.

The reply must be exactly the JSON object DESIGN.md describes; a Markdown code
fence around it is stripped, nothing else is forgiven. A rejected reply raises
``InvalidInsight`` whose message says why; ``truncated`` tells a reply that
was cut off (never a success) from one that is complete but wrong.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from annotator.errors import ProviderError
from annotator.models import SENTIMENT_LABELS, Contradiction, Insight, Sentiment

_FENCE = re.compile(r"^```[A-Za-z0-9_-]*[ \t]*\n(?P<body>.*?)\n?```$", re.DOTALL)


class InvalidReply(ProviderError):
    """A complete stream whose text is not the reply asked for. ``truncated``:
    it was cut off (a failover, never a success)."""

    def __init__(self, reason: str, *, truncated: bool = False) -> None:
        super().__init__(reason)
        self.truncated = truncated


class InvalidInsight(InvalidReply):
    """A reply that is not a valid live insight."""


def strip_fence(text: str) -> str:
    text = text.strip()
    match = _FENCE.match(text)
    return match.group("body").strip() if match else text


def _looks_truncated(text: str) -> bool:
    """An opened object whose braces/brackets/string never close."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return in_string or depth > 0


def string_field(
    d: dict[str, Any], key: str, where: str, invalid: type[InvalidReply] = InvalidReply, *, required: bool = True
) -> str:
    """``d[key]`` when it is a string ("" when absent and not ``required``), else
    ``invalid`` naming where: the strict reading of one text field of a reply."""
    if key not in d:
        if required:
            raise invalid(f"{where} has no {key!r}")
        return ""
    value = d[key]
    if not isinstance(value, str):
        raise invalid(f"{where}.{key} is not a string")
    return value


def _text(d: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    return string_field(d, key, where, InvalidInsight, required=required).strip()


def _optional_text(d: dict[str, Any], key: str, where: str) -> str:
    """An optional text field: absent or null is "", a string is kept, anything else is invalid."""
    if d.get(key) is None:
        return ""
    return _text(d, key, where, required=False)


def _earlier_id(d: dict[str, Any], where: str) -> str:
    """The optional ``earlier_id``: a string ("L12") or a bare number (12), else invalid."""
    value = d.get("earlier_id")
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"L{value}"
    return _text(d, "earlier_id", where, required=False)


def reply_object(text: str, invalid: type[InvalidReply] = InvalidReply) -> dict[str, Any]:
    """The one JSON object a reply must consist of (a code fence around it is
    stripped), or ``invalid`` with the reason: empty, prose, not valid JSON,
    truncated JSON (``truncated=True``), or JSON that is not an object."""
    body = strip_fence(text)
    if not body:
        raise invalid("the reply is empty")
    if not body.startswith("{"):
        raise invalid(f"the reply is not a JSON object (starts {body[:40]!r})")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as err:
        if _looks_truncated(body):
            raise invalid(f"the reply is truncated JSON ({len(body)} characters)", truncated=True) from err
        raise invalid(f"the reply is not valid JSON: {err.msg} at character {err.pos}") from err
    if not isinstance(data, dict):
        raise invalid("the reply is not a JSON object")
    return data


def parse_insight(text: str, *, max_claims: int | None = None) -> Insight:
    """The insight in ``text``; raises ``InvalidInsight`` with the reason.

    ``max_claims`` keeps only the last that many claims (the most recent).
    """
    data = reply_object(text, InvalidInsight)

    s = data.get("sentiment")
    if not isinstance(s, dict):
        raise InvalidInsight("'sentiment' is missing or not an object")
    label = s.get("label")
    if label not in SENTIMENT_LABELS:
        raise InvalidInsight(f"sentiment.label {label!r} is not one of {', '.join(SENTIMENT_LABELS)}")
    score = s.get("score")
    if (
        isinstance(score, bool)
        or not isinstance(score, (int, float))
        or not math.isfinite(score)
        or not -1 <= score <= 1
    ):
        raise InvalidInsight(f"sentiment.score {score!r} is not a number from -1 to 1")

    raw_contradictions = data.get("contradictions", [])
    if not isinstance(raw_contradictions, list):
        raise InvalidInsight("'contradictions' is not a list")
    contradictions = []
    for i, c in enumerate(raw_contradictions):
        where = f"contradictions[{i}]"
        if not isinstance(c, dict):
            raise InvalidInsight(f"{where} is not an object")
        statement, earlier = _text(c, "statement", where), _text(c, "earlier", where)
        if not statement or not earlier:
            raise InvalidInsight(f"{where} has an empty statement or earlier")
        contradictions.append(
            Contradiction(
                statement,
                earlier,
                _text(c, "explanation", where, required=False),
                _earlier_id(c, where),
                _optional_text(c, "follow_up", where),
            )
        )

    raw_claims = data.get("claims", [])
    if not isinstance(raw_claims, list) or not all(isinstance(c, str) for c in raw_claims):
        raise InvalidInsight("'claims' is not a list of strings")
    claims = tuple(c.strip() for c in raw_claims if c.strip())
    if max_claims is not None:
        claims = claims[-max_claims:] if max_claims > 0 else ()

    return Insight(
        Sentiment(label, float(score)),
        tuple(contradictions),
        claims,
        _text(data, "summary", "the reply", required=False),
    )
