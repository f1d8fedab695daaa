"""Provider totals: calls, answers, tokens and cost per provider (the golden files check the figures)."""

from __future__ import annotations

from annotator.formats.summary import provider_totals
from annotator.models import Analysis, Attempt, Outcome


def test_a_skip_without_a_call_is_not_counted() -> None:
    skipped = Attempt("kimi", "m", Outcome.SKIPPED)
    assert provider_totals([Analysis((1,), "", None, None, None, (skipped,))]) == []
