"""The live flags a review judges: ``live_flags(record)``.

Stdlib only (no httpx, no Qt): the exports and the window number the flags
the same way the review did, without importing the review's runner.
"""

from __future__ import annotations

from dataclasses import replace

from annotator.analysis.identity import Identity, identity
from annotator.analysis.memory import SessionMemory
from annotator.analysis.review_model import LiveFlag, Reviewable
from annotator.models import Chunk
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


def with_earlier_lines(record: Reviewable, flags: tuple[LiveFlag, ...]) -> tuple[LiveFlag, ...]:
    """The review's hints: each flag with the line of its earlier statement,
    the one the live model cited by id, else the best match the session memory
    (``analysis.memory``, rebuilt from the journal) recalls for its earlier
    quote among the same speaker's lines before it; so the reviewer sees the
    words and the time even when that line lies in an earlier part."""
    by_id = {c.id: c for c in record.chunks}
    memory: SessionMemory | None = None
    out = []
    for flag in flags:
        c = flag.contradiction
        line = by_id.get(c.earlier_chunk) if c.earlier_chunk is not None else None
        if line is None:
            if memory is None:
                memory = SessionMemory.rebuilt(record.chunks, record.analyses)
            said = record.chunks[flag.chunk_index]
            query = Chunk(said.id, said.source, said.start, said.end, c.earlier, said.speaker)
            found = [r for r in memory.recall([query], limit=4) if r.kind == "said"]
            line = by_id.get(found[0].chunk_id) if found else None
        out.append(replace(flag, earlier_line=line))
    return tuple(out)


__all__ = ["live_flags", "with_earlier_lines"]
