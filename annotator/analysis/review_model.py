"""The review's values: what a post-session review found, what it will cost, how it goes.

Frozen dataclasses, stdlib only (no httpx, no config), so the journal, the
formats and the window can hold a ``Review`` without importing the review
runner (``analysis.review.run``). ``Review.to_dict()`` is the journal's
``review`` record; ``Review.from_dict`` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.models import Analysis, Attempt, Chunk, Contradiction
from annotator.text.clock import timestamp


@dataclass(frozen=True)
class ReviewContradiction:
    """A contradiction as the review states it: both quotes with their times
    (seconds from the session start) and a sentence on why.

    For a verdict on a live flag, ``flag`` is the flag's number (see
    ``live_flags``) and ``analysis_index`` / ``contradiction_index`` locate the
    live contradiction in ``record.analyses[i].insight.contradictions[j]``;
    for a missed contradiction all three are None.
    """

    statement: str
    statement_at: float
    earlier: str
    earlier_at: float
    explanation: str = ""
    flag: int | None = None
    analysis_index: int | None = None
    contradiction_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "flag": self.flag,
            "analysis_index": self.analysis_index,
            "contradiction_index": self.contradiction_index,
            "statement": self.statement,
            "statement_at": round(self.statement_at, 3),
            "earlier": self.earlier,
            "earlier_at": round(self.earlier_at, 3),
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReviewContradiction:
        def opt(key: str) -> int | None:
            return None if d.get(key) is None else int(d[key])

        return cls(
            statement=str(d["statement"]),
            statement_at=float(d.get("statement_at", 0.0)),
            earlier=str(d["earlier"]),
            earlier_at=float(d.get("earlier_at", 0.0)),
            explanation=str(d.get("explanation", "")),
            flag=opt("flag"),
            analysis_index=opt("analysis_index"),
            contradiction_index=opt("contradiction_index"),
        )


@dataclass(frozen=True)
class TurningPoint:
    """Where the sentiment changed: the time, the new mood, and what turned it."""

    at: float
    label: str
    score: float
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"at": round(self.at, 3), "label": self.label, "score": self.score, "why": self.why}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TurningPoint:
        return cls(float(d["at"]), str(d["label"]), float(d["score"]), str(d.get("why", "")))


@dataclass(frozen=True)
class SentimentArc:
    """How the mood moved over the session: a sentence and its turning points, in time order."""

    summary: str = ""
    turning_points: tuple[TurningPoint, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "turning_points": [t.to_dict() for t in self.turning_points]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SentimentArc:
        return cls(str(d.get("summary", "")), tuple(TurningPoint.from_dict(t) for t in d.get("turning_points", ())))


@dataclass(frozen=True)
class ReviewPart:
    """One part's reply, parsed (``parse_review``); ``claims`` are carried to the next part."""

    confirmed: tuple[ReviewContradiction, ...]
    rejected: tuple[ReviewContradiction, ...]
    missed: tuple[ReviewContradiction, ...]
    arc: SentimentArc
    claims: tuple[str, ...]
    summary: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class ReviewResult:
    """What the review found, merged over its parts.

    ``confirmed`` and ``rejected`` are verdicts on live flags (each names its
    flag); ``unreviewed`` lists the numbers of live flags no part judged;
    ``missed`` the contradictions the live pass did not flag.
    """

    confirmed: tuple[ReviewContradiction, ...] = ()
    rejected: tuple[ReviewContradiction, ...] = ()
    unreviewed: tuple[int, ...] = ()
    missed: tuple[ReviewContradiction, ...] = ()
    arc: SentimentArc = field(default_factory=SentimentArc)
    summary: str = ""
    questions: tuple[str, ...] = ()

    def verdicts(self) -> dict[tuple[int, int], str]:
        """``(analysis_index, contradiction_index)`` of each judged live flag ->
        ``"confirmed"`` or ``"rejected"`` (what the window shows beside the flag)."""
        out: dict[tuple[int, int], str] = {}
        for verdict, items in (("confirmed", self.confirmed), ("rejected", self.rejected)):
            for c in items:
                if c.analysis_index is not None and c.contradiction_index is not None:
                    out[(c.analysis_index, c.contradiction_index)] = verdict
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "confirmed": [c.to_dict() for c in self.confirmed],
            "rejected": [c.to_dict() for c in self.rejected],
            "unreviewed": list(self.unreviewed),
            "missed": [c.to_dict() for c in self.missed],
            "sentiment_arc": self.arc.to_dict(),
            "summary": self.summary,
            "follow_up_questions": list(self.questions),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReviewResult:
        return cls(
            confirmed=tuple(ReviewContradiction.from_dict(c) for c in d.get("confirmed", ())),
            rejected=tuple(ReviewContradiction.from_dict(c) for c in d.get("rejected", ())),
            unreviewed=tuple(int(n) for n in d.get("unreviewed", ())),
            missed=tuple(ReviewContradiction.from_dict(c) for c in d.get("missed", ())),
            arc=SentimentArc.from_dict(d.get("sentiment_arc") or {}),
            summary=str(d.get("summary", "")),
            questions=tuple(str(q) for q in d.get("follow_up_questions", ())),
        )


@dataclass(frozen=True)
class Review:
    """One run of the review: the result (None when a part got no valid
    answer from any provider: ``error`` says which and why), who answered,
    every attempt (tokens, cost), the parts the transcript was split into,
    and how many live flags it was given. This is the journal's ``review``
    record."""

    result: ReviewResult | None
    provider: str | None
    model: str | None
    attempts: tuple[Attempt, ...] = ()
    parts: int = 1
    live_flags: int = 0
    elapsed_ms: int = 0
    created: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def cost_usd(self) -> float:
        return sum(a.cost_usd for a in self.attempts)

    @property
    def input_tokens(self) -> int:
        return sum(a.input_tokens for a in self.attempts)

    @property
    def output_tokens(self) -> int:
        return sum(a.output_tokens for a in self.attempts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "provider": self.provider,
            "model": self.model,
            "parts": self.parts,
            "live_flags": self.live_flags,
            "elapsed_ms": self.elapsed_ms,
            "error": self.error,
            "result": None if self.result is None else self.result.to_dict(),
            "attempts": [a.to_dict() for a in self.attempts],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Review:
        """Rebuild a review we wrote ourselves (journal, export)."""
        result = d.get("result")
        return cls(
            result=None if result is None else ReviewResult.from_dict(result),
            provider=d.get("provider"),
            model=d.get("model"),
            attempts=tuple(Attempt.from_dict(a) for a in d.get("attempts", ())),
            parts=int(d.get("parts", 1)),
            live_flags=int(d.get("live_flags", 0)),
            elapsed_ms=int(d.get("elapsed_ms", 0)),
            created=str(d.get("created", "")),
            error=str(d.get("error", "")),
        )


@dataclass(frozen=True)
class ReviewEstimate:
    """What a review will cost, before it runs, for the provider tried first.

    Tokens are estimates (~4 bytes a token). ``input_tokens`` counts every
    part with the notes carried between parts at half their bound (a typical
    size), ``max_input_tokens`` with them at their bound; ``output_tokens``
    is the expected reply, ``max_output_tokens`` the most the provider may
    send (its ``max_tokens`` per part: what a reasoning model's hidden
    thinking can bill). ``cost_usd`` follows from the expected figures,
    ``max_cost_usd`` from the maxima. ``priced`` is False when the config has
    no price for the provider (costs then show as $0).
    """

    provider: str
    model: str
    parts: int
    live_flags: int
    input_tokens: int
    max_input_tokens: int
    output_tokens: int
    max_output_tokens: int
    cost_usd: float
    max_cost_usd: float
    priced: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "parts": self.parts,
            "live_flags": self.live_flags,
            "input_tokens": self.input_tokens,
            "max_input_tokens": self.max_input_tokens,
            "output_tokens": self.output_tokens,
            "max_output_tokens": self.max_output_tokens,
            "cost_usd": round(self.cost_usd, 8),
            "max_cost_usd": round(self.max_cost_usd, 8),
            "priced": self.priced,
        }


@dataclass(frozen=True)
class ReviewProgress:
    """Reported to ``on_progress``: part ``part`` of ``parts`` started
    (``done`` False) or finished (``done`` True, with its attempts)."""

    part: int
    parts: int
    done: bool
    attempts: tuple[Attempt, ...] = ()


@dataclass(frozen=True)
class LiveFlag:
    """A contradiction the live pass raised, numbered for the review (from 1)."""

    number: int
    analysis_index: int
    contradiction_index: int
    contradiction: Contradiction
    at: float  # start of the chunk that made the statement
    chunk_index: int  # position of that chunk in the transcript
    earlier_line: Chunk | None = None  # the earlier statement's line: cited live, or recalled from the session memory

    def to_prompt(self) -> dict[str, Any]:
        c = self.contradiction
        out: dict[str, Any] = {
            "flag": self.number,
            "at": timestamp(self.at),
            "statement": c.statement,
            "earlier": c.earlier,
            "explanation": c.explanation,
        }
        line = self.earlier_line
        if line is not None:  # a hint: the line itself, with its time, even when it lies before this excerpt
            who = f"{line.source}: " if line.source else ""
            out["earlier_line"] = f"[{timestamp(line.start)}] {who}{' '.join(line.text.split())[:300]}"
        return out


class Reviewable(Protocol):
    """What a review needs of a session (``journal.record.SessionRecord`` has it)."""

    @property
    def chunks(self) -> tuple[Chunk, ...]: ...

    @property
    def analyses(self) -> tuple[Analysis, ...]: ...
