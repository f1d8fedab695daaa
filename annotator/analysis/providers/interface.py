"""The one provider interface, shared by single providers and the chain.

Every provider, and the failover chain made of them (``chain.Chain``), has
the same shape (Starlette-style composition: a chain is a provider)::

    result = await provider.analyze(request, deadline)   # deadline: time.monotonic() value

``analyze`` never raises for provider trouble: it returns a ``Result`` whose
``attempts`` record what happened (``models.Attempt``) and whose ``insight``
is None when no valid insight came back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from annotator.analysis.insight import parse_insight
from annotator.analysis.prompt import estimate_tokens
from annotator.models import Attempt

Clock = Callable[[], float]


@dataclass(frozen=True)
class Request:
    """What to send: the differential prompt (see ``prompt.build_prompt``)."""

    system: str
    user: str
    max_claims: int = 8

    @property
    def est_input_tokens(self) -> int:
        return estimate_tokens(self.system) + estimate_tokens(self.user)

    def parse(self, text: str) -> Any:
        """The reply this request asked for, parsed strictly from the streamed
        text; ``InvalidReply`` (truncated or not) makes the chain fail over.
        A request for another kind of reply (the post-session review)
        overrides this."""
        return parse_insight(text, max_claims=self.max_claims)


@dataclass(frozen=True)
class Result:
    """What came back: the parsed reply (an ``Insight`` for a live request,
    see ``Request.parse``) and who answered, or None; every attempt."""

    insight: Any
    provider: str | None
    model: str | None
    attempts: tuple[Attempt, ...]


class Provider(Protocol):
    """The one interface shared by single providers and the chain."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    async def analyze(self, request: Request, deadline: float) -> Result: ...


@dataclass(frozen=True)
class ProviderState:
    """A snapshot of one provider for status displays.

    ``misconfigured`` is the reason it is skipped for the session (None if
    not); ``retry_at`` a ``time.monotonic()`` time before which it is not
    called; ``last`` its most recent attempt.
    """

    name: str
    model: str
    misconfigured: str | None = None
    retry_at: float | None = None
    last: Attempt | None = None

    def retry_in_s(self, now: float) -> float | None:
        if self.retry_at is None or self.retry_at <= now:
            return None
        return self.retry_at - now
