"""The strict reading of one review part's reply (``parse_review``).

Exactly one JSON object with every key of the format the instructions give
(``plan.INSTRUCTIONS``); anything else raises ``InvalidReview``, so the chain
fails over to the next provider, like an invalid live insight. Times are the
``[mm:ss]`` (or ``[h:mm:ss]``) stamps the transcript lines carry
(``parse_time``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from annotator.analysis.insight import InvalidReply, reply_object, string_field
from annotator.analysis.review_model import ReviewContradiction, ReviewPart, SentimentArc, TurningPoint
from annotator.models import SENTIMENT_LABELS

MAX_CARRIED_CLAIMS = 20
MAX_CLAIM_CHARS = 160
MAX_TEXT_CHARS = 2000  # any one quote, reason or summary kept from a reply

_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)
_TIME = re.compile(r"^\[?\s*(?:(\d+):)?(\d{1,3}):(\d{2}(?:\.\d+)?)\s*\]?$")


class InvalidReview(InvalidReply):
    """A reply that is not a valid review."""


# --------------------------------------------------------------------------- parsing


def parse_time(value: Any, where: str) -> float:
    """A time from a reply: ``"mm:ss"``, ``"h:mm:ss"`` (brackets allowed) or seconds."""
    if isinstance(value, bool):
        raise InvalidReview(f"{where} is not a time")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise InvalidReview(f"{where} {value!r} is not a time")
        return float(value)
    if isinstance(value, str):
        match = _TIME.match(value.strip())
        if match:
            hours, minutes, seconds = match.groups()
            if float(seconds) < 60 and (hours is None or int(minutes) < 60):
                return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    raise InvalidReview(f"{where} {value!r} is not a time like 12:05")


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidReview(f"{where} is not an object")
    return value


def _list(data: dict[str, Any], key: str, where: str = "the reply") -> list[Any]:
    if key not in data:
        raise InvalidReview(f"{where} has no {key!r}")
    value = data[key]
    if not isinstance(value, list):
        raise InvalidReview(f"{where}.{key} is not a list")
    return value


def _str(d: dict[str, Any], key: str, where: str, *, required: bool = True, empty_ok: bool = True) -> str:
    value = " ".join(string_field(d, key, where, InvalidReview, required=required).split())[:MAX_TEXT_CHARS]
    if not value and not empty_ok:
        raise InvalidReview(f"{where}.{key} is empty")
    return value


def _contradiction(item: Any, where: str, note_key: str, *, note_required: bool) -> ReviewContradiction:
    d = _obj(item, where)
    return ReviewContradiction(
        statement=_str(d, "statement", where, empty_ok=False),
        statement_at=parse_time(d.get("statement_at"), f"{where}.statement_at"),
        earlier=_str(d, "earlier", where, empty_ok=False),
        earlier_at=parse_time(d.get("earlier_at"), f"{where}.earlier_at"),
        explanation=_str(d, note_key, where, required=note_required),
    )


def _flag_number(d: dict[str, Any], where: str, known: frozenset[int]) -> int:
    number = d.get("flag")
    if isinstance(number, bool) or not isinstance(number, int):
        raise InvalidReview(f"{where}.flag {number!r} is not a live flag number")
    if number not in known:
        listed = ", ".join(str(n) for n in sorted(known)) or "none"
        raise InvalidReview(f"{where}.flag {number} is not one of the live flags given (given: {listed})")
    return number


def _strings(data: dict[str, Any], key: str, *, required: bool) -> tuple[str, ...]:
    if key not in data and not required:
        return ()
    items = _list(data, key)
    if not all(isinstance(s, str) for s in items):
        raise InvalidReview(f"the reply's {key!r} is not a list of strings")
    return tuple(" ".join(s.split())[:MAX_TEXT_CHARS] for s in items if s.strip())


def parse_review(text: str, flags: frozenset[int] = frozenset()) -> ReviewPart:
    """One part's reply; ``flags`` are the live flag numbers that part was given.

    Strict like ``insight.parse_insight``: exactly one JSON object (a code
    fence, and a leading ``<think>...</think>`` block that some local reasoning
    models print, are stripped) with every key of the format; a flag number
    that was not given, or one both confirmed and rejected, is an error.
    Raises ``InvalidReview`` with the reason (``truncated`` when cut off).
    """
    data = reply_object(_THINK.sub("", text, count=1), InvalidReview)

    verdicts: dict[str, list[ReviewContradiction]] = {"confirmed": [], "rejected": []}
    seen: dict[int, str] = {}
    for key in ("confirmed", "rejected"):
        for i, item in enumerate(_list(data, key)):
            where = f"{key}[{i}]"
            number = _flag_number(_obj(item, where), where, flags)
            if number in seen:
                raise InvalidReview(f"{where}: live flag {number} is already {seen[number]}")
            seen[number] = key
            c = _contradiction(item, where, "reason", note_required=key == "rejected")
            verdicts[key].append(
                ReviewContradiction(c.statement, c.statement_at, c.earlier, c.earlier_at, c.explanation, number)
            )
    missed = tuple(
        _contradiction(item, f"missed[{i}]", "explanation", note_required=False)
        for i, item in enumerate(_list(data, "missed"))
    )

    if "sentiment_arc" not in data:
        raise InvalidReview("the reply has no 'sentiment_arc'")
    arc_data = _obj(data["sentiment_arc"], "sentiment_arc")
    points = []
    for i, item in enumerate(_list(arc_data, "turning_points", "sentiment_arc")):
        where = f"sentiment_arc.turning_points[{i}]"
        p = _obj(item, where)
        label = p.get("label")
        if label not in SENTIMENT_LABELS:
            raise InvalidReview(f"{where}.label {label!r} is not one of {', '.join(SENTIMENT_LABELS)}")
        score = p.get("score")
        if (
            isinstance(score, bool)
            or not isinstance(score, (int, float))
            or not math.isfinite(score)
            or not -1 <= score <= 1
        ):
            raise InvalidReview(f"{where}.score {score!r} is not a number from -1 to 1")
        points.append(
            TurningPoint(
                parse_time(p.get("at"), f"{where}.at"), label, float(score), _str(p, "why", where, required=False)
            )
        )
    arc = SentimentArc(
        _str(arc_data, "summary", "sentiment_arc", required=False), tuple(sorted(points, key=lambda t: t.at))
    )

    return ReviewPart(
        confirmed=tuple(verdicts["confirmed"]),
        rejected=tuple(verdicts["rejected"]),
        missed=missed,
        arc=arc,
        claims=tuple(c[:MAX_CLAIM_CHARS] for c in _strings(data, "claims", required=False))[-MAX_CARRIED_CLAIMS:],
        summary=_str(data, "summary", "the reply", empty_ok=False),
        questions=_strings(data, "follow_up_questions", required=True),
    )


__all__ = ["InvalidReview", "parse_review", "parse_time"]
