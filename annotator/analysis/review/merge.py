"""One review result from the parts' answers (``merge_parts``).

A live flag confirmed in any part is confirmed, rejected only if no part
confirmed it; missed contradictions found twice (in an overlap) are kept
once (the same ``analysis.identity``, or the same pair of statements however
quoted), and one that matches a live flag is not "missed"; turning points
are de-duplicated; the summaries of the last part cover the whole session.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.analysis.identity import identity
from annotator.analysis.review_model import (
    LiveFlag,
    ReviewContradiction,
    ReviewPart,
    ReviewResult,
    SentimentArc,
    TurningPoint,
)
from annotator.text.quotes import words

MAX_QUESTIONS = 10
SAME_TIME_S = 5.0  # two findings whose statements are this close are the same
SAME_TURN_S = 15.0  # two turning points of one label this close are the same


def _similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Two quotes of the same statement: most words of the shorter are in the longer.

    Quote against quote (two providers' wordings of one finding), not quote against a
    transcript line: where a quote stands is ``text.quotes``' rule; this one asks
    whether two findings are the same, with every word counting."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= threshold


def _same_finding(a: ReviewContradiction, b: ReviewContradiction) -> bool:
    """The same pair of statements, however it was quoted (or in which order)."""
    ta, tb = sorted((a.statement_at, a.earlier_at)), sorted((b.statement_at, b.earlier_at))
    if abs(ta[0] - tb[0]) <= SAME_TIME_S and abs(ta[1] - tb[1]) <= SAME_TIME_S:
        return True
    pairs = ((a.statement, b.statement), (a.earlier, b.earlier))
    swapped = ((a.statement, b.earlier), (a.earlier, b.statement))
    return all(_similar(x, y) for x, y in pairs) or all(_similar(x, y) for x, y in swapped)


def _matches_flag(finding: ReviewContradiction, flag: LiveFlag) -> bool:
    c = flag.contradiction
    if abs(finding.statement_at - flag.at) <= SAME_TIME_S and (
        _similar(finding.earlier, c.earlier) or _similar(finding.statement, c.statement)
    ):
        return True
    return _similar(finding.statement, c.statement) and _similar(finding.earlier, c.earlier)


def merge_parts(parts: Sequence[ReviewPart], flags: Sequence[LiveFlag]) -> ReviewResult:
    """One result from the parts' replies, in part order (see the module docstring)."""
    by_number = {f.number: f for f in flags}
    confirmed: dict[int, ReviewContradiction] = {}
    rejected: dict[int, ReviewContradiction] = {}
    for part in parts:
        for c in part.confirmed:
            confirmed.setdefault(c.flag or 0, c)
        for c in part.rejected:
            rejected.setdefault(c.flag or 0, c)

    def located(c: ReviewContradiction) -> ReviewContradiction:
        f = by_number[c.flag or 0]
        return ReviewContradiction(
            c.statement,
            c.statement_at,
            c.earlier,
            c.earlier_at,
            c.explanation,
            f.number,
            f.analysis_index,
            f.contradiction_index,
        )

    final_confirmed = [located(confirmed[n]) for n in sorted(confirmed) if n in by_number]
    final_rejected = [located(rejected[n]) for n in sorted(rejected) if n in by_number and n not in confirmed]
    judged = set(confirmed) | set(rejected)
    unreviewed = tuple(f.number for f in flags if f.number not in judged)

    missed: list[ReviewContradiction] = []
    for part in parts:
        for finding in part.missed:
            if any(_matches_flag(finding, f) for f in flags):
                continue  # the live pass did flag it
            same = identity(finding.statement, finding.earlier)
            if any(same == identity(kept.statement, kept.earlier) or _same_finding(finding, kept) for kept in missed):
                continue  # found again in an overlap
            missed.append(finding)
    missed.sort(key=lambda c: max(c.statement_at, c.earlier_at))

    points: list[TurningPoint] = []
    for point in sorted((t for part in parts for t in part.arc.turning_points), key=lambda t: t.at):
        if any(p.label == point.label and abs(p.at - point.at) <= SAME_TURN_S for p in points):
            continue
        points.append(point)

    questions: list[str] = []
    for q in (q for part in parts for q in part.questions):
        if q.casefold() not in {k.casefold() for k in questions} and len(questions) < MAX_QUESTIONS:
            questions.append(q)

    last = parts[-1]
    arc_summary = next((p.arc.summary for p in reversed(parts) if p.arc.summary), "")
    return ReviewResult(
        confirmed=tuple(final_confirmed),
        rejected=tuple(final_rejected),
        unreviewed=unreviewed,
        missed=tuple(missed),
        arc=SentimentArc(arc_summary, tuple(points)),
        summary=last.summary,
        questions=tuple(questions),
    )


__all__ = ["merge_parts"]
