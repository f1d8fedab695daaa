"""Running a review: every part of the plan through the ``[post]`` chain, in order.

``review_record(record, config)`` runs the review and returns a ``Review``
whose ``attempts`` carry the tokens and cost actually used (they belong in
the session's cost total); ``on_progress`` hears of each part sent and
answered. A part's reply is parsed as strictly as a live insight
(``ReviewRequest``), so an invalid one fails over the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from annotator.analysis.chain import Chain
from annotator.analysis.providers.client import HttpProvider
from annotator.analysis.providers.interface import Clock, Request, Result
from annotator.analysis.review.merge import merge_parts
from annotator.analysis.review.parse import parse_review
from annotator.analysis.review.plan import (
    MAX_CARRIED_SUMMARY_CHARS,
    build_user_text,
    plan_review,
    usable_post_providers,
)
from annotator.analysis.review_model import Review, Reviewable, ReviewPart, ReviewProgress
from annotator.config.keys import Keys
from annotator.config.schema import Config
from annotator.errors import InputError
from annotator.models import Attempt
from annotator.redaction import Redactor


@dataclass(frozen=True)
class ReviewRequest(Request):
    """A review part's request: ``flags`` are the live flag numbers it carries.
    Its reply is a review part, parsed as strictly as a live insight (and an
    invalid one fails over the same way)."""

    flags: frozenset[int] = frozenset()

    def parse(self, text: str) -> ReviewPart:
        return parse_review(text, self.flags)


def _failure_text(attempts: Sequence[Attempt]) -> str:
    return (
        "; ".join(
            f"{a.provider}: {a.outcome.value}{f' {a.status}' if a.status is not None else ''}"
            f"{f' ({a.detail})' if a.detail else ''}"
            for a in attempts
        )
        or "no provider was called"
    )


async def review_record(
    record: Reviewable,
    config: Config,
    *,
    client: httpx.AsyncClient | None = None,
    keys: Keys = None,
    on_progress: Callable[[ReviewProgress], None] | None = None,
    clock: Clock = time.monotonic,
) -> Review:
    """Review a session: every part through the ``[post]`` chain, in order.

    Never raises for provider trouble: when a part gets no valid answer from
    any provider the review stops there (a review missing a part would claim
    too little) and returns ``result=None`` with ``error`` saying why; its
    attempts, billed or not, are still in ``attempts``. Raises ``InputError``
    for a session without transcript and ``ConfigError`` when no review
    provider is usable. ``client`` is shared and not closed when given.
    """
    plan = plan_review(record, config.post)
    if not plan.parts:
        raise InputError("the session has no transcript to review")
    usable, _ = usable_post_providers(config, keys)
    http = client or httpx.AsyncClient()
    start = clock()
    created = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    attempts: list[Attempt] = []
    answers: list[ReviewPart] = []
    provider: str | None = None
    model: str | None = None
    error = ""
    try:
        redact = Redactor.of(*(key for _, key in usable))  # each provider's text is scrubbed of every key
        chain = Chain(
            [HttpProvider(p, http, key, clock=clock, redact=redact) for p, key in usable], name="post", clock=clock
        )
        claims: tuple[str, ...] = ()
        summary = ""
        total = len(plan.parts)
        for index, part in enumerate(plan.parts, 1):
            if on_progress is not None:
                on_progress(ReviewProgress(index, total, False))
            user = build_user_text(index, total, part, claims, summary[:MAX_CARRIED_SUMMARY_CHARS])
            request = ReviewRequest(plan.system, user, flags=frozenset(f.number for f in part.flags))
            # a review can wait: a rate-limit window is waited out within the deadline, not a failed part
            result: Result = await chain.analyze_waiting(request, clock() + config.post.deadline_s)
            attempts.extend(result.attempts)
            if on_progress is not None:
                on_progress(ReviewProgress(index, total, True, result.attempts))
            answer = result.insight
            if not isinstance(answer, ReviewPart):
                error = f"part {index} of {total} got no valid review: {_failure_text(result.attempts)}"
                break
            answers.append(answer)
            provider, model = result.provider, result.model
            claims, summary = answer.claims, answer.summary
    finally:
        if client is None:
            await http.aclose()
    merged = merge_parts(answers, plan.flags) if answers and not error else None
    return Review(
        result=merged,
        provider=provider if merged is not None else None,
        model=model if merged is not None else None,
        attempts=tuple(attempts),
        parts=len(plan.parts),
        live_flags=len(plan.flags),
        elapsed_ms=round((clock() - start) * 1000),
        created=created,
        error=error,
    )


__all__ = ["ReviewRequest", "review_record"]
