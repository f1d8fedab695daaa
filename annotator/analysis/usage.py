"""Tokens and estimated cost, per provider and for the session.

Costs are estimates from the per-provider prices in the config (USD per
million input / output tokens); a free-credit budget entered by the user is
counted down so the window can show which free tier is being used up::

    usage = UsageTracker(config.providers)
    usage.record(attempt)           # every attempt, failed ones too (they may bill)
    usage.provider("kimi").cost_usd, usage.session().input_tokens
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from annotator.config.schema import ProviderConfig
from annotator.models import Attempt, Outcome

SESSION = "session"


def cost_usd(provider: ProviderConfig, input_tokens: int, output_tokens: int) -> float:
    return (input_tokens * provider.price_in_per_mtok + output_tokens * provider.price_out_per_mtok) / 1_000_000


@dataclass(frozen=True)
class ProviderUsage:
    """Totals for one provider (or, named ``"session"``, for all of them)."""

    name: str
    calls: int = 0  # attempts that reached the provider (skips not counted)
    answered: int = 0  # attempts that gave a valid insight
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    free_credit_usd: float | None = None

    @property
    def free_credit_left_usd(self) -> float | None:
        if self.free_credit_usd is None:
            return None
        return max(0.0, self.free_credit_usd - self.cost_usd)

    def add(self, attempt: Attempt) -> ProviderUsage:
        return replace(
            self,
            calls=self.calls + 1,
            answered=self.answered + (1 if attempt.ok else 0),
            input_tokens=self.input_tokens + attempt.input_tokens,
            output_tokens=self.output_tokens + attempt.output_tokens,
            cost_usd=self.cost_usd + attempt.cost_usd,
        )

    def add_all(self, attempts: Iterable[Attempt]) -> ProviderUsage:
        """These totals with every attempt that reached a provider added."""
        usage = self
        for attempt in attempts:
            if called(attempt):
                usage = usage.add(attempt)
        return usage


def called(attempt: Attempt) -> bool:
    """Whether the attempt reached its provider (a skip or a spent deadline did not)."""
    return not (attempt.outcome in (Outcome.SKIPPED, Outcome.DEADLINE) and attempt.elapsed_ms == 0)


class UsageTracker:
    """Accumulates ``Attempt`` records into per-provider and session totals."""

    def __init__(self, providers: Sequence[ProviderConfig] = ()) -> None:
        self._by_name: dict[str, ProviderUsage] = {
            p.name: ProviderUsage(p.name, free_credit_usd=p.free_credit_usd) for p in providers
        }
        self._session = ProviderUsage(SESSION)

    def record(self, attempt: Attempt) -> None:
        if not called(attempt):
            return
        current = self._by_name.get(attempt.provider, ProviderUsage(attempt.provider))
        self._by_name[attempt.provider] = current.add(attempt)
        self._session = self._session.add(attempt)

    def record_all(self, attempts: Sequence[Attempt]) -> None:
        for attempt in attempts:
            self.record(attempt)

    def provider(self, name: str) -> ProviderUsage:
        return self._by_name.get(name, ProviderUsage(name))

    def providers(self) -> tuple[ProviderUsage, ...]:
        return tuple(self._by_name.values())

    def session(self) -> ProviderUsage:
        return self._session
