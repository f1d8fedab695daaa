"""What to tell the user when no provider answered a request: one sentence, what to do.

    all_failed_advice(analysis.attempts)
    # -> "no provider could be reached in time: check the network connection, or that the local server is running"

The per-provider reasons (``Attempt.detail``) stay available for those who
want them (the window shows them on hover, ``analyze`` prints them); this
sentence is the part that says what to do, chosen by what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.analysis.providers.failure import WEB_PAGE
from annotator.models import Attempt, Outcome

_NETWORK = {Outcome.CONNECT_ERROR, Outcome.TIMEOUT, Outcome.STALLED, Outcome.DEADLINE}
_REPLY = {Outcome.HTTP_ERROR, Outcome.CUT, Outcome.MALFORMED, Outcome.INVALID_REPLY}


def _trouble(attempt: Attempt) -> str:
    if WEB_PAGE in attempt.detail or attempt.outcome is Outcome.MISCONFIGURED:
        return "config"
    if attempt.outcome is Outcome.RATE_LIMITED:
        return "rate"
    if attempt.outcome is Outcome.SKIPPED:
        return "rate" if attempt.detail.startswith("rate limited") else "config"
    if attempt.outcome in _NETWORK:
        return "network"
    return "reply"


def all_failed_advice(attempts: Iterable[Attempt]) -> str:
    """What to do when none of ``attempts`` answered (lower case, no final stop)."""
    failed = [a for a in attempts if not a.ok]
    if not failed:
        return "no analysis provider is configured: add one in Settings > Providers or the config file"
    troubles = {_trouble(a) for a in failed}
    if any(WEB_PAGE in a.detail for a in failed):
        return "a provider answered with a web page instead of the API: check its base_url in Settings > Providers or the config file"
    if troubles == {"config"}:
        return "no provider accepted the request: fix the key, base URL or model in Settings > Providers or the config file"
    if troubles == {"network"}:
        return "no provider could be reached in time: check the network connection, or that the local server is running"
    if troubles == {"rate"}:
        return (
            "every provider is rate-limited: analysis resumes when their limits reset; another provider avoids the wait"
        )
    if "config" in troubles:
        return (
            "a provider was refused and the others failed: fix its key, base URL or model in Settings > "
            "Providers or the config file"
        )
    if troubles <= {"network", "rate"}:
        return "providers were unreachable or rate-limited: check the network connection, or add another provider"
    return "no provider gave a usable answer: see each one's reason, and put a more reliable provider first"
