"""The live flags a review judges: ``live_flags(record)``.

Stdlib only (no httpx, no Qt): the exports and the window number the flags
the same way the review did, without importing the review's runner.
"""

from __future__ import annotations

from annotator.analysis.identity import Identity, identity
from annotator.analysis.review_model import LiveFlag, Reviewable
from annotator.text.quotes import place_statement


def live_flags(record: Reviewable) -> tuple[LiveFlag, ...]:
    """The contradictions the live pass raised (provider answers only, not the
    local estimate), numbered from 1 in journal order, each placed at the chunk
    of its analysis the window and the exports pin it to (``text.quotes.place_statement``).
    A contradiction raised
    again (the same ``analysis.identity``: a provider repeating itself in a later
    answer) is one flag, the first: the window shows it as one card, so the
    review judges it once."""
    position = {c.id: i for i, c in enumerate(record.chunks)}
    flags: list[LiveFlag] = []
    seen: set[Identity] = set()
    for ai, analysis in enumerate(record.analyses):
        if analysis.insight is None or analysis.local or not analysis.insight.contradictions:
            continue
        own = [record.chunks[position[i]] for i in analysis.chunk_ids if i in position]
        if not own:
            continue
        for ci, c in enumerate(analysis.insight.contradictions):
            same = identity(c.statement, c.earlier)
            if same in seen:
                continue
            seen.add(same)
            line = place_statement(c.statement, own) or own[-1]
            flags.append(LiveFlag(len(flags) + 1, ai, ci, c, line.start, position[line.id]))
    return tuple(flags)


__all__ = ["live_flags"]
