"""Where each contradiction stands in an exported transcript.

Under the line that made it, with a pointer back from the earlier line it
conflicts with: the live ones (each with the review's verdict on it, if any; a
contradiction a provider repeated is placed once, where it was first raised,
``analysis.identity``) and the ones the review found that the live pass missed.
The earlier line is the one the provider cited by its id (``earlier_id``,
from the statements the session memory quoted) when it cited one; otherwise
the lines are found from the quotes by ``text.quotes``, the rule the window and
the review use too.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.analysis.identity import Identity, identity
from annotator.analysis.review_model import Review
from annotator.journal.record import SessionRecord
from annotator.models import Chunk, Contradiction
from annotator.text.quotes import place_earlier, place_found, place_statement


@dataclass(frozen=True)
class Placed:
    """One contradiction placed in the transcript: raised live (with the review's
    verdict on it, if any) or found by the review (``found_by_review``)."""

    contradiction: Contradiction
    statement: Chunk
    earlier: Chunk | None
    verdict: str | None = None  # "confirmed" | "rejected" | None (not reviewed)
    reason: str = ""  # the review's sentence on it
    found_by_review: bool = False


def latest_answered(record: SessionRecord) -> Review | None:
    """The latest review that has a result (the one the Markdown reports)."""
    answered = [r for r in record.reviews if r.result is not None]
    return answered[-1] if answered else None


def _verdicts(record: SessionRecord, review: Review | None) -> dict[Identity, tuple[str, str]]:
    """The review's verdict on each live contradiction, by its identity."""
    out: dict[Identity, tuple[str, str]] = {}
    if review is None or review.result is None:
        return out
    for verdict, items in (("confirmed", review.result.confirmed), ("rejected", review.result.rejected)):
        for c in items:
            ai, ci = c.analysis_index, c.contradiction_index
            if ai is None or ci is None or not 0 <= ai < len(record.analyses):
                continue
            insight = record.analyses[ai].insight
            if insight is None or not 0 <= ci < len(insight.contradictions):
                continue
            live = insight.contradictions[ci]
            out.setdefault(identity(live.statement, live.earlier), (verdict, c.explanation))
    return out


def place_contradictions(
    record: SessionRecord, review: Review | None = None
) -> tuple[dict[int, list[Placed]], dict[int, list[Placed]]]:
    """Contradictions by the position of the chunk that made them, and by the
    position of the earlier chunk they point back to: the live ones (each with
    ``review``'s verdict on it) and those ``review`` found that the live pass missed."""
    position = {id(c): i for i, c in enumerate(record.chunks)}
    by_id = {c.id: c for c in record.chunks}
    under: dict[int, list[Placed]] = {}
    back: dict[int, list[Placed]] = {}
    verdicts = _verdicts(record, review)

    def place(flag: Placed) -> None:
        under.setdefault(position[id(flag.statement)], []).append(flag)
        if flag.earlier is not None and flag.earlier is not flag.statement:
            back.setdefault(position[id(flag.earlier)], []).append(flag)

    seen: set[Identity] = set()  # a contradiction a provider repeated is listed once, where it was first raised
    for analysis in record.analyses:
        if analysis.insight is None or not analysis.insight.contradictions:
            continue
        own = [by_id[i] for i in analysis.chunk_ids if i in by_id]
        if not own:
            continue
        first = min(position[id(c)] for c in own)
        before = record.chunks[:first]
        for contradiction in analysis.insight.contradictions:
            same = identity(contradiction.statement, contradiction.earlier)
            if same in seen:
                continue
            seen.add(same)
            statement = place_statement(contradiction.statement, own) or own[-1]
            cited = by_id.get(contradiction.earlier_chunk) if contradiction.earlier_chunk is not None else None
            earlier = cited if cited is not None else place_earlier(contradiction.earlier, before, own)
            verdict, reason = verdicts.get(same, (None, ""))
            place(Placed(contradiction, statement, earlier, verdict, reason))
    if review is not None and review.result is not None:
        for c in review.result.missed:
            found_at, earlier = place_found(c.statement, c.statement_at, c.earlier, c.earlier_at, record.chunks)
            if found_at is None:
                continue
            found = Contradiction(c.statement, c.earlier, c.explanation)
            place(Placed(found, found_at, earlier, found_by_review=True))
    return under, back
