"""The live flags a review judges: ``live_flags(record)``.

Stdlib only (no httpx, no Qt): the exports and the window number the flags
the same way the review did, without importing the review's runner.
"""

from __future__ import annotations

import re

from annotator.analysis.identity import Identity, identity
from annotator.analysis.review_model import LiveFlag, Reviewable

_WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    """The words of ``text``, lower-cased (what placing a flag and matching quotes compare)."""
    return set(_WORD.findall(text.lower()))


def live_flags(record: Reviewable) -> tuple[LiveFlag, ...]:
    """The contradictions the live pass raised (provider answers only, not the
    local estimate), numbered from 1 in journal order, each placed at the chunk
    of its analysis whose words best match its statement. A contradiction raised
    again (the same ``analysis.identity``: a provider repeating itself in a later
    answer) is one flag, the first: the window shows it as one card, so the
    review judges it once."""
    position = {c.id: i for i, c in enumerate(record.chunks)}
    flags: list[LiveFlag] = []
    seen: set[Identity] = set()
    for ai, analysis in enumerate(record.analyses):
        if analysis.insight is None or analysis.local or not analysis.insight.contradictions:
            continue
        own = [position[i] for i in analysis.chunk_ids if i in position]
        if not own:
            continue
        for ci, c in enumerate(analysis.insight.contradictions):
            same = identity(c.statement, c.earlier)
            if same in seen:
                continue
            seen.add(same)
            wanted = words(c.statement)
            best = max(own, key=lambda k: (len(wanted & words(record.chunks[k].text)), -k))
            flags.append(LiveFlag(len(flags) + 1, ai, ci, c, record.chunks[best].start, best))
    return tuple(flags)



__all__ = ["live_flags", "words"]
