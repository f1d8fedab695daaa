"""Flags as the window shows them, built from analyses and marks (pure, no Qt).

A provider quotes the new statement and the earlier one in its own words, so
the chunks they came from are found by word overlap, not by exact equality.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotator.analysis.identity import identity
from annotator.analysis.identity import words as _words
from annotator.models import Analysis, Chunk, Mark

MIN_OVERLAP = 0.34


@dataclass(frozen=True)
class Flag:
    """One card in the flags pane: a contradiction found by a provider, or a manual flag."""

    statement: str
    earlier: str
    explanation: str
    chunk_id: int | None  # the chunk holding the new statement
    earlier_chunk_id: int | None  # the chunk holding the earlier statement, if found
    at: float  # seconds from session start, for ordering and the timeline
    source: str  # who answered: "kimi · kimi-k2-turbo", or "you" for a manual flag
    manual: bool = False
    found_by_review: bool = False  # a contradiction the live pass missed, found by the post-session review
    earlier_at: float | None = None  # when the earlier statement was made, if known

    @property
    def key(self) -> tuple[frozenset[str], frozenset[str], bool]:
        """Flags with the same key say the same thing (a provider repeating itself)."""
        return flag_key(self.statement, self.earlier, self.manual)


def flag_key(statement: str, earlier: str, manual: bool = False) -> tuple[frozenset[str], frozenset[str], bool]:
    """The identity of a flag's content (``analysis.identity``), and whether the user made it."""
    return (*identity(statement, earlier), manual)


def overlap(quote: str, text: str) -> float:
    """Share of the quote's meaningful words found in ``text`` (1.0 for a substring)."""
    q = quote.strip().lower()
    if q and q in text.lower():
        return 1.0
    qw = _words(quote)
    if not qw:
        return 0.0
    return len(qw & _words(text)) / len(qw)


def best_match(quote: str, chunks: Sequence[Chunk]) -> Chunk | None:
    """The chunk that best contains ``quote``; the latest wins a tie; None below ``MIN_OVERLAP``."""
    best: Chunk | None = None
    best_score = MIN_OVERLAP
    for chunk in chunks:
        score = overlap(quote, chunk.text)
        if score >= best_score:
            best, best_score = chunk, score
    return best


def flags_from_analysis(analysis: Analysis, chunks: Mapping[int, Chunk]) -> list[Flag]:
    """One flag per contradiction in the analysis, tied to the chunks it quotes."""
    if analysis.insight is None or not analysis.insight.contradictions:
        return []
    own = [chunks[i] for i in analysis.chunk_ids if i in chunks]
    first_own = min(analysis.chunk_ids) if analysis.chunk_ids else None
    earlier_pool = [c for i, c in sorted(chunks.items()) if first_own is None or i < first_own]
    who = analysis.provider or ""
    if analysis.model:
        who = f"{who} · {analysis.model}"
    flags = []
    for c in analysis.insight.contradictions:
        new = best_match(c.statement, own) or (own[-1] if own else None)
        old = best_match(c.earlier, earlier_pool)
        if old is None:
            old = best_match(c.earlier, [x for x in chunks.values() if new is None or x.id != new.id])
        flags.append(
            Flag(
                statement=c.statement,
                earlier=c.earlier,
                explanation=c.explanation,
                chunk_id=None if new is None else new.id,
                earlier_chunk_id=None if old is None else old.id,
                at=new.start if new is not None else 0.0,
                source=who,
            )
        )
    return flags


def flag_from_mark(mark: Mark, chunks: Mapping[int, Chunk]) -> Flag | None:
    """A manual flag card for a ``Mark`` of kind "flag"; bookmarks make no card."""
    if mark.kind != "flag":
        return None
    chunk = chunks.get(mark.chunk_id) if mark.chunk_id is not None else None
    return Flag(
        statement=chunk.text if chunk else "",
        earlier="",
        explanation=mark.note or "Flagged by you.",
        chunk_id=mark.chunk_id,
        earlier_chunk_id=None,
        at=mark.at,
        source="you",
        manual=True,
    )
