"""How a non-200 reply fails an attempt: its outcome and the provider's own sentence."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from annotator.analysis.providers.failure import error_message, parse_retry_after, status_failure
from annotator.models import Outcome


@pytest.mark.parametrize(
    ("status", "retry_after_s", "outcome", "detail"),
    [
        (401, None, Outcome.MISCONFIGURED, "HTTP 401, key refused: said"),
        (403, None, Outcome.MISCONFIGURED, "HTTP 403, access refused: said"),
        (404, None, Outcome.MISCONFIGURED, "HTTP 404, not found (retired model or wrong base_url): said"),
        (429, 30.4, Outcome.RATE_LIMITED, "HTTP 429, rate limited; Retry-After 30 s: said"),
        (429, None, Outcome.RATE_LIMITED, "HTTP 429, rate limited: said"),
        (408, None, Outcome.HTTP_ERROR, "HTTP 408, refused: said"),
        (409, None, Outcome.HTTP_ERROR, "HTTP 409, refused: said"),
        (500, None, Outcome.HTTP_ERROR, "HTTP 500, server error: said"),
        (501, None, Outcome.HTTP_ERROR, "HTTP 501, server error: said"),
        (529, None, Outcome.HTTP_ERROR, "HTTP 529, overloaded: said"),
        (400, None, Outcome.HTTP_ERROR, "HTTP 400: said"),
        (418, None, Outcome.HTTP_ERROR, "HTTP 418: said"),
    ],
)
def test_each_status_has_its_outcome_and_sentence(
    status: int, retry_after_s: float | None, outcome: Outcome, detail: str
) -> None:
    fail = status_failure(status, b'{"error": {"type": "x_error", "message": "said"}}', retry_after_s)
    assert (fail.outcome, fail.detail, fail.status) == (outcome, detail, status)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"error": {"type": "overloaded_error", "message": "Overloaded\\n  now"}}', "Overloaded now"),
        (b'{"type": "error", "error": {"type": "rate_limit_error"}}', "rate_limit_error"),
        (b'{"error": "model not found"}', "model not found"),
        (b'{"detail": "Not Found"}', ""),  # no message field: nothing made up
        (b"[1, 2]", ""),
        (b"Bad gateway\r\n  upstream down", "Bad gateway upstream down"),
        (b"<!DOCTYPE html><html><body>502</body></html>", "answered with a web page, not the API"),
        (b"x" * 5000, "x" * 200),
        (b"", ""),
    ],
    ids=["openai", "anthropic type only", "string", "no message", "not an object", "text", "html", "long", "empty"],
)
def test_the_error_body_gives_the_providers_own_sentence_bounded(body: bytes, said: str) -> None:
    assert error_message(body) == said


def test_retry_after_seconds_and_http_date() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after(formatdate(now + 90, usegmt=True), now) == pytest.approx(90.0)
    assert parse_retry_after("99999999", now) == 3600.0
    assert parse_retry_after("-5", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
