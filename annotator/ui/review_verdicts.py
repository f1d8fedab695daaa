"""What the window shows of a post-session review (pure, no Qt).

The review judges the live flags by their place in the journal
(``analysis_index``, ``contradiction_index``); the window shows one card per
distinct contradiction (``Flag.key``: a contradiction a provider repeated in a
later answer makes no second card). ``card_reviews`` maps each card key to
what the card shows: "confirmed" when the review confirmed any live flag with
that key, else "wrong" when it rejected one, else "not judged".
``missed_flags`` turns the contradictions the live pass missed into cards of
their own, tied to transcript lines by time and words. Every string here is
plain text; the widgets never render it as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotator.analysis.review_model import (
    LiveFlag,
    Review,
    ReviewContradiction,
    ReviewProgress,
    ReviewResult,
)
from annotator.models import Chunk
from annotator.text.clock import timestamp
from annotator.text.money import cost
from annotator.text.quotes import place_found
from annotator.ui.flag import Flag, flag_key
from annotator.ui.format import attempt_reason, duration, signed_score

CONFIRMED = "confirmed"
WRONG = "wrong"
NOT_JUDGED = "not judged"


@dataclass(frozen=True)
class CardReview:
    """The review's verdict as a live flag card shows it.

    ``verdict`` is ``CONFIRMED``, ``WRONG`` or ``NOT_JUDGED``; ``text`` the
    card's line ("✔ Confirmed by the review: <reason>").
    """

    verdict: str
    reason: str = ""

    @property
    def text(self) -> str:
        head = {
            CONFIRMED: "✔ Confirmed by the review",
            WRONG: "✖ Wrong, says the review",
            NOT_JUDGED: "– Not judged by the review",
        }[self.verdict]
        return f"{head}: {self.reason}" if self.reason else head


def card_reviews(
    flags: Sequence[LiveFlag], result: ReviewResult
) -> dict[tuple[frozenset[str], frozenset[str], bool], CardReview]:
    """Card key -> verdict, for every live flag the review was given."""
    by_index: dict[tuple[int, int], tuple[str, ReviewContradiction]] = {}
    for verdict, items in ((CONFIRMED, result.confirmed), (WRONG, result.rejected)):
        for c in items:
            if c.analysis_index is not None and c.contradiction_index is not None:
                by_index[(c.analysis_index, c.contradiction_index)] = (verdict, c)
    rank = {CONFIRMED: 0, WRONG: 1, NOT_JUDGED: 2}
    out: dict[tuple[frozenset[str], frozenset[str], bool], CardReview] = {}
    for f in flags:
        key = flag_key(f.contradiction.statement, f.contradiction.earlier)
        found = by_index.get((f.analysis_index, f.contradiction_index))
        card = CardReview(found[0], found[1].explanation) if found else CardReview(NOT_JUDGED)
        if key not in out or rank[card.verdict] < rank[out[key].verdict]:
            out[key] = card
    return out


def reviewer(review: Review) -> str:
    """``"strong (fault-model)"``, or ``"the review"`` when nobody answered."""
    if review.provider is None:
        return "the review"
    return f"{review.provider} ({review.model})" if review.model else review.provider


def missed_flags(review: Review, chunks: Mapping[int, Chunk]) -> list[Flag]:
    """A card per contradiction the live pass missed, labelled as found by the review."""
    if review.result is None:
        return []
    lines = [c for _, c in sorted(chunks.items())]
    out = []
    for c in review.result.missed:
        # the export's rule (``text.quotes``); the earlier may be the same line ("around 140k ... not under 160k")
        new, old = place_found(c.statement, c.statement_at, c.earlier, c.earlier_at, lines)
        out.append(
            Flag(
                statement=c.statement,
                earlier=c.earlier,
                explanation=c.explanation,
                chunk_id=None if new is None else new.id,
                earlier_chunk_id=None if old is None else old.id,
                at=c.statement_at,
                source=f"found by the review · {reviewer(review)}",
                found_by_review=True,
                earlier_at=c.earlier_at,
            )
        )
    return out


@dataclass(frozen=True)
class ReviewPanelText:
    """The review panel's plain-text parts."""

    byline: str  # "by strong (fault-model), $0.0123 · 1 request · 4.2 s"
    tally: str  # "Live flags: 1 confirmed, 1 wrong, 0 not judged · 1 missed (new cards)"
    summary: str
    arc: str
    turning_points: tuple[str, ...]
    questions: tuple[str, ...]


def panel_text(review: Review) -> ReviewPanelText:
    """What the review panel shows; ``review.result`` must not be None."""
    result = review.result or ReviewResult()
    parts = "1 request" if review.parts == 1 else f"{review.parts} requests"
    byline = f"by {reviewer(review)}, {cost(review.cost_usd)} · {parts} · {duration(review.elapsed_ms)}"
    judged = len(result.confirmed) + len(result.rejected)
    tally = (
        f"Live flags: {len(result.confirmed)} confirmed, {len(result.rejected)} wrong, "
        f"{len(result.unreviewed)} not judged"
        if judged or result.unreviewed
        else "No live flags to judge"
    )
    tally += f" · {len(result.missed)} missed by the live pass" + (" (new cards)" if result.missed else "")
    points = tuple(
        f"{timestamp(t.at)}  {t.label} {signed_score(t.score)}" + (f" — {t.why}" if t.why else "")
        for t in result.arc.turning_points
    )
    questions = tuple(f"{i}. {q}" for i, q in enumerate(result.questions, 1))
    return ReviewPanelText(byline, tally, result.summary, result.arc.summary, points, questions)


def progress_text(p: ReviewProgress) -> str:
    """Status-bar text for one step of a running review."""
    part = f"part {p.part}/{p.parts}" if p.parts > 1 else "the transcript"
    if not p.done:
        return f"Reviewing: {part} sent, waiting for the answer…"
    answered = next((a for a in p.attempts if a.ok), None)
    if answered is None:
        return f"Reviewing: {part} got no valid answer"
    failed = [a.provider for a in p.attempts if not a.ok]
    tail = f" (after {', '.join(failed)} failed)" if failed else ""
    return f"Reviewing: {part} answered by {answered.provider} in {duration(answered.elapsed_ms)}{tail}"


def failed_message(review: Review) -> str:
    """The message-area sentence for a review without a result, with what to do."""
    reasons = (
        "; ".join(attempt_reason(a) for a in review.attempts if not a.ok) or review.error or "no provider answered"
    )
    spent = (
        f" Its attempts cost {cost(review.cost_usd)}; they are saved in the session journal." if review.cost_usd else ""
    )
    return (
        f"The review got no valid answer ({reasons}). The live flags are unchanged.{spent} "
        "Check the review providers in Settings > Providers (or the [post] table of the config), then choose "
        "Session > Review session again."
    )


def confirm_text(estimate_line: str) -> str:
    """The question asked before anything is sent."""
    return (
        f"{estimate_line[0].upper()}{estimate_line[1:]}.\n\nThe whole transcript and the live flags are sent to "
        "this provider. Run the review?"
    )
