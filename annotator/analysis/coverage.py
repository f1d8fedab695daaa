"""Which transcript lines no provider answered for (local estimate only, or never sent).

    c = coverage(chunks, analyses)
    c.count, c.total, c.first, c.last       # 3, 720, 451.2, 463.0 (seconds into the session)
    c.sentence()                            # "3 of 720 chunks were left unanalysed (local estimate only),
                                            #  from 07:31 to 07:43"

A chunk counts as analysed when an analysis that a provider answered covers
it; a chunk covered only by a local-estimate analysis, or by none at all
(left out under backlog, or a session that ended first), is unanalysed.
Chunks without text are not counted. ``never_analysed`` is the stricter
set: chunks no analysis covers at all (an interrupted session's last lines). ``annotator analyze``, the window and
the Markdown export all say it with ``sentence``/``span``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.models import Analysis, Chunk
from annotator.text.clock import timestamp


@dataclass(frozen=True)
class Coverage:
    """``total`` chunks with text; ``unanalysed`` those no provider answered, in order."""

    total: int
    unanalysed: tuple[Chunk, ...] = ()

    @property
    def count(self) -> int:
        return len(self.unanalysed)

    @property
    def first(self) -> float | None:
        return min((c.start for c in self.unanalysed), default=None)

    @property
    def last(self) -> float | None:
        return max((c.end for c in self.unanalysed), default=None)

    def span(self) -> str:
        """``"from 07:31 to 07:43"`` ("" when every chunk was analysed)."""
        if self.first is None or self.last is None:
            return ""
        return f"from {timestamp(self.first)} to {timestamp(self.last)}"

    def sentence(self) -> str:
        """What a run that left chunks unanalysed says ("" when it left none)."""
        if not self.count:
            return ""
        return f"{self.count} of {self.total} chunks were left unanalysed (local estimate only), {self.span()}"


def answered_ids(analyses: Iterable[Analysis]) -> set[int]:
    """The ids of the chunks some provider answered for."""
    return {i for a in analyses if a.insight is not None and not a.local for i in a.chunk_ids}


def coverage(chunks: Sequence[Chunk], analyses: Iterable[Analysis]) -> Coverage:
    """Which of ``chunks`` (those with text) no analysis from a provider covers."""
    answered = answered_ids(analyses)
    spoken = [c for c in chunks if c.text.strip()]
    return Coverage(len(spoken), tuple(c for c in spoken if c.id not in answered))


def never_analysed(chunks: Sequence[Chunk], analyses: Iterable[Analysis]) -> Coverage:
    """Which of ``chunks`` (with text) no analysis covers at all, not even the
    local estimate: never sent (e.g. still waiting when a session was interrupted)."""
    sent = {i for a in analyses for i in a.chunk_ids}
    spoken = [c for c in chunks if c.text.strip()]
    return Coverage(len(spoken), tuple(c for c in spoken if c.id not in sent))
