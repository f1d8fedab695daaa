"""What the exports say about a session as a whole: its length, and per provider
the calls, answers, tokens and estimated cost (the reviews' attempts included).

The JSON export carries ``summary(record)``; the Markdown export's header and
providers table, and the ``review`` command's cost line, read the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotator.analysis.usage import UsageTracker
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Attempt


@dataclass(frozen=True)
class ProviderTotals:
    """What one provider did in a session, summed over its attempts."""

    name: str
    models: tuple[str, ...]
    calls: int
    answered: int
    input_tokens: int
    output_tokens: int
    cost_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "models": list(self.models),
            "calls": self.calls,
            "answered": self.answered,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 8),
        }


def provider_totals(analyses: Sequence[Analysis], extra: Sequence[Attempt] = ()) -> list[ProviderTotals]:
    """Per provider, in order of first use: calls (skips without a call are
    not counted), valid answers, tokens and estimated cost. ``extra`` are
    attempts made outside the analyses (the post-session reviews)."""
    attempts: list[Attempt] = [a for analysis in analyses for a in analysis.attempts] + list(extra)
    usage = UsageTracker()
    usage.record_all(attempts)
    models: dict[str, list[str]] = {}
    for a in attempts:
        seen = models.setdefault(a.provider, [])
        if a.model and a.model not in seen:
            seen.append(a.model)
    return [
        ProviderTotals(
            u.name, tuple(models.get(u.name, ())), u.calls, u.answered, u.input_tokens, u.output_tokens, u.cost_usd
        )
        for u in usage.providers()
    ]


def duration_s(record: SessionRecord) -> float:
    """The session's length: the end of its last chunk (or its last mark)."""
    ends = [c.end for c in record.chunks] + [m.at for m in record.marks]
    return round(max(ends, default=0.0), 3)


def review_attempts(record: SessionRecord) -> list[Attempt]:
    """Every attempt of every review of the session (they all count in its cost)."""
    return [a for review in record.reviews for a in review.attempts]


def summary(record: SessionRecord) -> dict[str, Any]:
    """The JSON export's ``summary``: length, counts, and tokens and cost in total and per provider."""
    totals = provider_totals(record.analyses, review_attempts(record))
    extra: dict[str, Any] = {}
    if record.reviews:
        extra["review"] = {
            "cost_usd": round(sum(r.cost_usd for r in record.reviews), 8),
            "input_tokens": sum(r.input_tokens for r in record.reviews),
            "output_tokens": sum(r.output_tokens for r in record.reviews),
        }
    return {
        "duration_s": duration_s(record),
        "chunks": len(record.chunks),
        "analyses": len(record.analyses),
        "analysed_ok": sum(1 for a in record.analyses if a.insight is not None and not a.local),
        "cost_usd": round(sum(t.cost_usd for t in totals), 8),
        "input_tokens": sum(t.input_tokens for t in totals),
        "output_tokens": sum(t.output_tokens for t in totals),
        "providers": [t.to_dict() for t in totals],
        **extra,
    }
