"""The analyser the app and the commands call: chunks + previous insight -> Analysis.

    analyzer = build_analyzer(config)                 # once per session
    analysis = await analyzer.analyze(chunks, previous_insight)
    analyzer.usage.session().cost_usd, analyzer.providers_state()
    await analyzer.aclose()

``analyze`` builds the differential prompt within the token budget (with the
earlier statements its session memory, ``self.memory``, recalls for the new
text; the chunks and the claims of each answer go into that memory, and a
cited ``earlier_id`` the memory does not hold is dropped), runs the
failover chain and never raises for provider trouble; with ``wait=True``
(files: ``analyze``, replays, review) a request every provider rate-limited
waits for the first to come back within the deadline. When every provider
fails (or none is usable) it answers with the local VADER sentiment estimate:
``provider == LOCAL_PROVIDER``, ``model == "vader"``, no contradictions, and
the claims of ``previous`` carried over so the memory is not lost; the
attempts still say what each provider did.

Text longer than ``max_chunk_tokens`` is split (at line, then sentence, ends)
into several requests run one after another, each with the full chain
deadline; the ``Analysis`` then reports ``parts > 1``, ``attempts`` of all
parts in order, the contradictions of all parts, the claims of the last, the
mean sentiment score (label: the most common one, ties to the last part), and
the provider and model of the last part that answered. If only some parts
were answered, the others' text is simply not analysed (their attempts show
why).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import httpx

from annotator.analysis.chain import Chain, Wait
from annotator.analysis.local import LOCAL_MODEL, LocalSentiment
from annotator.analysis.memory import SessionMemory, line_id
from annotator.analysis.prompt import build_prompt, chunk_line, split_text
from annotator.analysis.providers.client import HttpProvider
from annotator.analysis.providers.interface import Clock, Request, Result
from annotator.analysis.usage import UsageTracker
from annotator.config.keys import Keys, KeyStatus, key_status
from annotator.config.schema import AnalysisConfig, Config, ProviderConfig
from annotator.models import LOCAL_PROVIDER, Analysis, Attempt, Chunk, Insight, Outcome, Sentiment
from annotator.redaction import Redactor

LOCAL_SUMMARY = "Analysis unavailable; local sentiment estimate only."
CHECK_TEXT = "Interviewer: Thanks for joining today.\nCandidate: Happy to be here, I have led the team for three years."


@dataclass(frozen=True)
class ProviderStatus:
    """One configured provider as the window's status dots show it.

    ``unavailable`` says why it is not in the chain at all (disabled, no key);
    ``misconfigured`` why it is skipped for the rest of the session;
    ``retry_in_s`` how long a Retry-After still holds; ``last`` its last attempt.
    """

    name: str
    kind: str
    model: str
    unavailable: str | None = None
    misconfigured: str | None = None
    retry_in_s: float | None = None
    last: Attempt | None = None

    @property
    def in_chain(self) -> bool:
        return self.unavailable is None

    @property
    def last_outcome(self) -> Outcome | None:
        return None if self.last is None else self.last.outcome


def _merge(insights: Sequence[Insight]) -> Insight:
    if len(insights) == 1:
        return insights[0]
    labels = [i.sentiment.label for i in insights]
    counts = Counter(labels)
    top = max(counts.values())
    label = next(lbl for lbl in reversed(labels) if counts[lbl] == top)
    score = round(sum(i.sentiment.score for i in insights) / len(insights), 3)
    return Insight(
        Sentiment(label, score),
        tuple(c for i in insights for c in i.contradictions),
        insights[-1].claims,
        " ".join(i.summary for i in insights if i.summary),
    )


class Analyzer:
    """Runs requests through the chain (or the local estimate) and keeps the
    session's usage and provider state. Create with ``build_analyzer``."""

    def __init__(
        self,
        config: AnalysisConfig,
        providers: Sequence[HttpProvider],
        *,
        excluded: Sequence[tuple[ProviderConfig, str]] = (),
        order: Sequence[ProviderConfig] = (),
        client: httpx.AsyncClient | None = None,
        owns_client: bool = False,
        local: LocalSentiment | None = None,
        clock: Clock = time.monotonic,
        memory: SessionMemory | None = None,
    ) -> None:
        self.config = config
        self.memory = memory if memory is not None else SessionMemory()
        self.providers = tuple(providers)
        self.chain = Chain(self.providers, clock=clock)
        self.usage = UsageTracker([p.config for p in self.providers])
        self._excluded = {p.name: reason for p, reason in excluded}
        self._order = tuple(order) or tuple(p.config for p in self.providers)
        self._client = client
        self._owns_client = owns_client
        self._local = local or LocalSentiment()
        self._clock = clock

    def remember(self, chunks: Sequence[Chunk]) -> None:
        """Put chunks in the session memory as they are said (also those never
        analysed: a backlog dropped them, or no provider answered)."""
        self.memory.add_chunks(chunks)

    def waiting(self) -> float | None:
        """When every provider is only waiting out a Retry-After: the seconds
        until the first is back (``Chain.waiting``); else None."""
        back = self.chain.waiting()
        return None if back is None else max(0.0, back - self._clock())

    async def analyze(
        self,
        chunks: Sequence[Chunk],
        previous: Insight | None,
        on_part: Callable[[int, int], None] | None = None,
        *,
        wait: bool = False,
        on_wait: Callable[[Wait], None] | None = None,
    ) -> Analysis:
        """``on_part(n, parts)`` is called before part ``n`` (from 1) of ``parts`` is sent.
        ``wait`` (files): a request whose providers are all rate-limited waits
        for the first to be back within the deadline (``Chain.analyze_waiting``),
        ``on_wait`` told before each wait, rather than take the local estimate."""
        start = self._clock()
        text = "\n".join(c.text.strip() for c in chunks)
        ids = tuple(c.id for c in chunks)
        lines = [chunk_line(c) for c in chunks if c.text.strip()]
        parts = split_text(lines, self.config.max_chunk_tokens) if lines else []
        attempts: list[Attempt] = []
        answered: list[Result] = []
        current = previous
        recalled = (
            self.memory.recall(chunks, limit=self.config.memory_statements, skip=previous.claims if previous else ())
            if self.config.memory_statements > 0
            else []
        )
        cited = {r.id for r in recalled}
        self.memory.add_chunks(chunks)
        for n, part in enumerate(parts, 1):
            if on_part is not None:
                on_part(n, len(parts))
            prompt = build_prompt(part, current, self.config, recalled)
            request = Request(prompt.system, prompt.user, self.config.max_claims)
            deadline = self._clock() + self.config.deadline_s
            if wait:
                result = await self.chain.analyze_waiting(request, deadline, on_wait=on_wait)
            else:
                result = await self.chain.analyze(request, deadline)
            self.usage.record_all(result.attempts)
            attempts.extend(result.attempts)
            if result.insight is not None:
                result = replace(result, insight=self._checked(result.insight, cited))
                answered.append(result)
                current = result.insight
                self.memory.add_claims(result.insight.claims, chunks)
        elapsed = round((self._clock() - start) * 1000)
        n_parts = max(1, len(parts))
        if answered:
            last = answered[-1]
            insight = _merge([r.insight for r in answered if r.insight is not None])
            return Analysis(ids, text, insight, last.provider, last.model, tuple(attempts), elapsed, n_parts)
        local = Insight(self._local.estimate(text), (), previous.claims if previous else (), LOCAL_SUMMARY)
        return Analysis(ids, text, local, LOCAL_PROVIDER, LOCAL_MODEL, tuple(attempts), elapsed, n_parts)

    def _checked(self, insight: Insight, cited: set[str]) -> Insight:
        """``earlier_id`` kept only where it names a line the memory holds
        (normalised to ``L<id>``), so the window never selects a line a model made up."""
        fixed = []
        for c in insight.contradictions:
            chunk_id = c.earlier_chunk
            known = chunk_id is not None and (line_id(chunk_id) in cited or self.memory.knows(chunk_id))
            fixed.append(replace(c, earlier_id=line_id(chunk_id) if known and chunk_id is not None else ""))
        return replace(insight, contradictions=tuple(fixed))

    def providers_state(self) -> tuple[ProviderStatus, ...]:
        """Every configured provider, in chain order, with its current state."""
        now = self._clock()
        live = {p.name: p for p in self.providers}
        out = []
        for cfg in self._order:
            provider = live.get(cfg.name)
            if provider is None:
                out.append(ProviderStatus(cfg.name, cfg.kind, cfg.model, unavailable=self._excluded.get(cfg.name, "")))
                continue
            state = provider.state()
            out.append(
                ProviderStatus(
                    cfg.name, cfg.kind, cfg.model, None, state.misconfigured, state.retry_in_s(now), state.last
                )
            )
        return tuple(out)

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None


def _new_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=8, keepalive_expiry=30.0))


def build_analyzer(
    config: Config,
    *,
    client: httpx.AsyncClient | None = None,
    keys: Keys = None,
    local: LocalSentiment | None = None,
    clock: Clock = time.monotonic,
) -> Analyzer:
    """The analyser for ``config``: providers that are enabled and have a key
    (or are on loopback) form the chain, in config order.

    ``keys`` hands keys in (a ``{name: key}`` dict or a function); None looks
    each up with ``key_status`` (environment, then keyring). ``client`` is
    shared and not closed by ``aclose`` when given.
    """
    owns = client is None
    http = client or _new_client()
    found = [key_status(p, keys) for p in config.providers]
    # every key this process holds is scrubbed from every provider's text, not only its own
    held = (*found, *(key_status(p, keys) for p in config.post.providers or ()))
    redact = Redactor.of(*(status.key for status in held))
    providers, excluded = [], []
    for status in found:
        reason = status.unavailable
        if reason is None:
            providers.append(HttpProvider(status.provider, http, status.key, clock=clock, redact=redact))
        else:
            excluded.append((status.provider, reason))
    return Analyzer(
        config.analysis,
        providers,
        excluded=excluded,
        order=config.providers,
        client=http,
        owns_client=owns,
        local=local,
        clock=clock,
    )


async def check_provider(
    provider: ProviderConfig,
    *,
    client: httpx.AsyncClient | None = None,
    status: KeyStatus | None = None,
    keys: Keys = None,
    analysis: AnalysisConfig | None = None,
) -> Attempt:
    """Send one tiny analysis request to ``provider`` and report the attempt.

    Used by ``annotator providers --check`` and the settings dialog's test
    button. The key is ``status``'s when given, else looked up with
    ``key_status(provider, keys)`` (by default: environment, then keyring; this
    blocks on a slow keyring, so callers on the Qt loop look it up in a thread
    and pass ``status``). A provider that needs a key and has none is reported
    as MISCONFIGURED without a call; a disabled one is checked all the same.
    """
    status = status if status is not None else key_status(provider, keys)
    if status.missing is not None:
        return Attempt(provider.name, provider.model, Outcome.MISCONFIGURED, detail=status.missing)
    cfg = analysis or AnalysisConfig()
    prompt = build_prompt(CHECK_TEXT, None, cfg)
    http = client or _new_client()
    try:
        single = HttpProvider(provider, http, status.key)
        result = await single.analyze(
            Request(prompt.system, prompt.user, cfg.max_claims), time.monotonic() + provider.timeout_s
        )
    finally:
        if client is None:
            await http.aclose()
    return result.attempts[-1]
