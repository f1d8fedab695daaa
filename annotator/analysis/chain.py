"""The failover chain: a provider made of providers.

``Chain(providers).analyze(request, deadline)`` tries each provider in the
user's order until one returns a valid insight, under ONE deadline for the
whole chain: each attempt gets min(its own limits, time left). There is no
retry loop and no circuit breaker: failing over is the retry. The rules for a
single attempt (what fails over, misconfigured providers, Retry-After) live
in ``providers.HttpProvider``; providers whose turn comes after the deadline
are recorded as ``DEADLINE`` attempts, so every provider shows in the record.

Because a chain has the provider interface, chains nest (e.g. a chain of
local servers as one entry of a larger chain).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from annotator.analysis.providers.interface import Clock, Provider, Request, Result
from annotator.models import Attempt, Outcome


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

    async def analyze(self, request: Request, deadline: float) -> Result:
        attempts: list[Attempt] = []
        for provider in self.providers:
            if self._clock() >= deadline:
                attempts.append(
                    Attempt(provider.name, provider.model, Outcome.DEADLINE, detail="not tried: the chain's deadline ran out")
                )
                continue
            result = await provider.analyze(request, deadline)
            attempts.extend(result.attempts)
            if result.insight is not None:
                return Result(result.insight, result.provider, result.model, tuple(attempts))
        return Result(None, None, None, tuple(attempts))
