"""How an attempt fails: the ``Fail`` it ends with, and the readable sentence in it.

Both wire dialects share these rules (their error bodies have the same
shape: ``{"error": {"type": ..., "message": ...}}``)::

    raise status_failure(503, body)          # -> Fail(HTTP_ERROR, "HTTP 503, server error: <their message>")
    wait = parse_retry_after("30", time.time())   # -> 30.0 (seconds, capped at an hour)

- 401/403/404: ``MISCONFIGURED`` (the provider is skipped for the session).
- 429: ``RATE_LIMITED``, with the ``Retry-After`` wait in the sentence when
  there is one.
- 408/409/425/429/5xx/529 and every other non-200: ``HTTP_ERROR``, fail over.
- A body that is a web page says so (``WEB_PAGE``), never as HTML.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

from annotator.models import Outcome

MAX_RETRY_AFTER_S = 3600.0
WEB_PAGE = "answered with a web page, not the API"
FAILOVER_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
MISCONFIGURED_STATUSES = {401: "key refused", 403: "access refused", 404: "not found (retired model or wrong base_url)"}


class Fail(Exception):
    """An attempt that ended without an insight: its outcome, the sentence
    shown for it, and the HTTP status when one came back."""

    def __init__(self, outcome: Outcome, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.status = status


def describe(err: BaseException) -> str:
    return str(err) or type(err).__name__


def unexpected(err: BaseException) -> Fail:
    """A reply shape nobody expected (a token count of "many", a list where an
    object belongs): ``MALFORMED``, never an exception out of the provider."""
    return Fail(Outcome.MALFORMED, f"unexpected reply ({type(err).__name__}: {describe(err)[:120]})")


def looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<?xml", "<!--")) or (
        head.startswith("<") and "<html" in text[:2000].lower()
    )


def error_message(body: bytes) -> str:
    """The provider's own error sentence, if the body has one (bounded)."""
    text = body[:2000].decode("utf-8", "replace")
    if looks_like_html(text):
        return WEB_PAGE
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("type") or ""
            return " ".join(str(msg).split())[:200]
        if isinstance(err, str):
            return err[:200]
    return ""


def parse_retry_after(value: str | None, now_wall: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now_wall
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def status_failure(status: int, body: bytes, retry_after_s: float | None = None) -> Fail:
    """The failure a non-200 reply means; ``retry_after_s`` is a 429's parsed ``Retry-After``."""
    message = error_message(body)
    said = f": {message}" if message else ""
    if status in MISCONFIGURED_STATUSES:
        return Fail(Outcome.MISCONFIGURED, f"HTTP {status}, {MISCONFIGURED_STATUSES[status]}{said}", status)
    if status == 429:
        if retry_after_s is not None:
            return Fail(
                Outcome.RATE_LIMITED, f"HTTP 429, rate limited; Retry-After {retry_after_s:.0f} s{said}", status
            )
        return Fail(Outcome.RATE_LIMITED, f"HTTP 429, rate limited{said}", status)
    if status in FAILOVER_STATUSES or status >= 500:
        name = "overloaded" if status == 529 else "server error" if status >= 500 else "refused"
        return Fail(Outcome.HTTP_ERROR, f"HTTP {status}, {name}{said}", status)
    return Fail(Outcome.HTTP_ERROR, f"HTTP {status}{said}", status)
