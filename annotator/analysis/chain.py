"""The failover chain: a provider made of providers.

``Chain(providers).analyze(request, deadline)`` tries each provider in the
user's order until one returns a valid insight, under ONE deadline for the
whole chain: each attempt gets min(its own limits, time left). There is no
retry loop and no circuit breaker: failing over is the retry. The rules for a
single attempt (what fails over, misconfigured providers, Retry-After) live
in ``providers.HttpProvider``; providers whose turn comes after the deadline
are recorded as ``DEADLINE`` attempts, so every provider shows in the record.

"No provider is available for 2 s" is not "every provider failed".
``Chain.waiting()`` says when the earliest provider is back when every one is
only waiting out a ``Retry-After`` (None when one can be called now, or one
is out for another reason). ``analyze_waiting`` is for files, which can wait:
when a request got no answer and the providers that were rate-limited for it
are back within the deadline, it sleeps until the first is back (a plain
``asyncio.sleep``: cancelling the task cancels the wait) and asks only those
again, instead of giving up::

    result = await chain.analyze_waiting(request, deadline, on_wait=lambda w: print(w.seconds, w.provider))

A 429 without ``Retry-After`` counts as waiting ``BACKOFF_S``.

Because a chain has the provider interface, chains nest (e.g. a chain of
local servers as one entry of a larger chain).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from annotator.analysis.providers.interface import Clock, Provider, Request, Result
from annotator.models import Attempt, Outcome

BACKOFF_S = 1.0
"""How long a provider that answered 429 without ``Retry-After`` is waited for."""
MIN_WAIT_S = 0.1
"""The shortest wait (a ``Retry-After: 0`` must not spin)."""


@dataclass(frozen=True)
class Wait:
    """A pause of a file's analysis: ``seconds`` until ``provider`` (the first back) is called again."""

    seconds: float
    provider: str


def rate_limited(attempt: Attempt) -> bool:
    """The attempt got no answer only because the provider asked to be called later."""
    return attempt.outcome is Outcome.RATE_LIMITED or (
        attempt.outcome is Outcome.SKIPPED and attempt.detail.startswith("rate limited")
    )


def _retry_at(provider: Provider) -> float | None:
    state = getattr(provider, "state", None)
    return None if state is None else state().retry_at


def _misconfigured(provider: Provider) -> bool:
    state = getattr(provider, "state", None)
    return state is not None and state().misconfigured is not None


class Chain:
    """Sequential failover over ``providers`` (first answer wins)."""

    def __init__(self, providers: Sequence[Provider], *, name: str = "chain", clock: Clock = time.monotonic) -> None:
        self.providers = tuple(providers)
        self._name = name
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    @property
    def model(self) -> str:
        return ""

    def waiting(self) -> float | None:
        """The clock time the earliest provider is back, when every provider
        that could answer is waiting out a Retry-After; None when one can be
        called now, or none is waiting (e.g. all misconfigured: that is failure)."""
        now = self._clock()
        backs: list[float] = []
        for provider in self.providers:
            if _misconfigured(provider):
                continue
            at = _retry_at(provider)
            if at is None or at <= now:
                return None
            backs.append(at)
        return min(backs) if backs else None

    async def analyze(self, request: Request, deadline: float) -> Result:
        return await self._run(self.providers, request, deadline)

    async def _run(self, providers: Sequence[Provider], request: Request, deadline: float) -> Result:
        attempts: list[Attempt] = []
        for provider in providers:
            if self._clock() >= deadline:
                attempts.append(
                    Attempt(
                        provider.name,
                        provider.model,
                        Outcome.DEADLINE,
                        detail="not tried: the chain's deadline ran out",
                    )
                )
                continue
            result = await provider.analyze(request, deadline)
            attempts.extend(result.attempts)
            if result.insight is not None:
                return Result(result.insight, result.provider, result.model, tuple(attempts))
        return Result(None, None, None, tuple(attempts))

    async def analyze_waiting(
        self,
        request: Request,
        deadline: float,
        *,
        on_wait: Callable[[Wait], None] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> Result:
        """``analyze``, but a request that got no answer because providers were
        rate-limited waits for the first of them to come back (within
        ``deadline``) and asks those again; ``on_wait`` is told before each wait.
        The result's attempts are every attempt made, in order."""
        attempts: list[Attempt] = []
        providers: Sequence[Provider] = self.providers
        while True:
            result = await self._run(providers, request, deadline)
            attempts.extend(result.attempts)
            if result.insight is not None:
                return Result(result.insight, result.provider, result.model, tuple(attempts))
            limited_names = {a.provider for a in result.attempts if rate_limited(a)}
            limited = [p for p in providers if p.name in limited_names]
            now = self._clock()
            backs = [(_retry_at(p) or now + BACKOFF_S, p) for p in limited]
            backs = [(max(at, now + MIN_WAIT_S), p) for at, p in backs]
            if not backs:
                return Result(None, None, None, tuple(attempts))
            back, first = min(backs, key=lambda b: b[0])
            if back >= deadline:
                return Result(None, None, None, tuple(attempts))
            if on_wait is not None:
                on_wait(Wait(back - now, first.name))
            await sleep(back - now)
            providers = limited
