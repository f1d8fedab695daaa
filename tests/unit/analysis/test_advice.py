"""One sentence saying what to do when no provider answered, chosen by what went wrong."""

from __future__ import annotations

import pytest

from annotator.analysis.advice import all_failed_advice
from annotator.models import Attempt, Outcome


def failed(outcome: Outcome, detail: str = "") -> Attempt:
    return Attempt("p", "m", outcome, detail=detail)


@pytest.mark.parametrize(
    ("attempts", "says"),
    [
        ([failed(Outcome.TIMEOUT), failed(Outcome.CONNECT_ERROR)], "check the network connection"),
        ([failed(Outcome.MISCONFIGURED), failed(Outcome.SKIPPED, "misconfigured: HTTP 401")], "fix the key, base URL"),
        (
            [failed(Outcome.RATE_LIMITED), failed(Outcome.SKIPPED, "rate limited: Retry-After has 30 s to run")],
            "rate-limited",
        ),
        (
            [
                failed(Outcome.MALFORMED, "answered with a web page, not the API: check base_url (x)"),
                failed(Outcome.TIMEOUT),
            ],
            "check its base_url",
        ),
        ([failed(Outcome.TIMEOUT), failed(Outcome.RATE_LIMITED)], "unreachable or rate-limited"),
        ([failed(Outcome.INVALID_REPLY), failed(Outcome.TIMEOUT)], "put a more reliable provider first"),
        ([failed(Outcome.MISCONFIGURED), failed(Outcome.TIMEOUT)], "a provider was refused and the others failed"),
        ([], "no analysis provider is configured"),
    ],
)
def test_the_advice_fits_what_went_wrong(attempts: list[Attempt], says: str) -> None:
    advice = all_failed_advice(attempts)
    assert says in advice
    assert "\n" not in advice and advice.count(". ") == 0  # one sentence
