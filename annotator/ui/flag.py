"""Flags as the window shows them, built from analyses and marks (pure, no Qt).

A provider quotes the new statement and the earlier one in its own words, so
the chunks they came from are found by word overlap, not by exact equality.
``QuoteIndex`` keeps the session's lines by their words as they arrive, so
finding the earlier statement of a flag two hours in reads the lines that
share a word with the quote, not the whole transcript (issue 19).
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


class QuoteIndex:
    """The lines of a session by their meaningful words, for ``best_match`` without a scan.

    ``best(quote)`` gives what ``best_match(quote, lines in arrival order)``
    gives, reading only the lines that share a meaningful word with the quote
    (a quote that shares none with a line is not found in it, even as a
    substring: only quotes made of small words or of cut-off words differ).
    """

    def __init__(self) -> None:
        self._order: dict[int, int] = {}  # chunk id -> arrival number (the latest wins a tie)
        self._chunks: dict[int, Chunk] = {}
        self._words: dict[int, frozenset[str]] = {}
        self._lower: dict[int, str] = {}
        self._postings: dict[str, set[int]] = {}

    def add(self, chunk: Chunk) -> None:
        """Index a new line, or re-index one whose text changed (same id)."""
        for w in self._words.get(chunk.id, ()):
            self._postings[w].discard(chunk.id)
        self._order.setdefault(chunk.id, len(self._order))
        ws = frozenset(_words(chunk.text))
        self._chunks[chunk.id], self._words[chunk.id], self._lower[chunk.id] = chunk, ws, chunk.text.lower()
        for w in ws:
            self._postings.setdefault(w, set()).add(chunk.id)

    def clear(self) -> None:
        for d in (self._order, self._chunks, self._words, self._lower, self._postings):
            d.clear()

    def best(self, quote: str, *, before: int | None = None, exclude: int | None = None) -> Chunk | None:
        """The line that best contains ``quote`` (``overlap``), among those with an id below
        ``before`` and other than ``exclude``; the latest wins a tie; None below ``MIN_OVERLAP``."""
        qw = _words(quote)
        if not qw:
            return None
        # A line that can match holds at least ``need`` of the quote's words (MIN_OVERLAP of them,
        # or all but a cut-off first and last one for a substring), so it holds one of the
        # ``len(qw) - need + 1`` rarest: only their lines are read, however common the others are.
        enough = next(n for n in range(1, len(qw) + 1) if n / len(qw) >= MIN_OVERLAP)  # the same division as below
        need = max(1, min(enough, len(qw) - 2))
        rarest = sorted(qw, key=lambda w: len(self._postings.get(w, ())))[: len(qw) - need + 1]
        counts = {cid: len(qw & self._words[cid]) for w in rarest for cid in self._postings.get(w, ())}
        q = quote.strip().lower()
        best: tuple[float, int] = (MIN_OVERLAP, -1)
        found: int | None = None
        for cid, n in counts.items():
            if (before is not None and cid >= before) or cid == exclude:
                continue
            score = n / len(qw)
            # a substring holds every word of the quote whole, but for a cut-off first or last one
            if score < 1.0 and n >= len(qw) - 2 and q in self._lower[cid]:
                score = 1.0
            key = (score, self._order[cid])
            if score >= MIN_OVERLAP and key > best:
                best, found = key, cid
        return None if found is None else self._chunks[found]


def flags_from_analysis(analysis: Analysis, chunks: Mapping[int, Chunk], index: QuoteIndex | None = None) -> list[Flag]:
    """One flag per contradiction in the analysis, tied to the chunks it quotes (the earlier
    statement looked up in ``index`` when given, which must hold the same chunks)."""
    if analysis.insight is None or not analysis.insight.contradictions:
        return []
    own = [chunks[i] for i in analysis.chunk_ids if i in chunks]
    first_own = min(analysis.chunk_ids) if analysis.chunk_ids else None
    who = analysis.provider or ""
    if analysis.model:
        who = f"{who} · {analysis.model}"
    flags = []
    for c in analysis.insight.contradictions:
        new = best_match(c.statement, own) or (own[-1] if own else None)
        if index is not None:
            old = index.best(c.earlier, before=first_own) or index.best(c.earlier, exclude=None if new is None else new.id)
        else:
            old = best_match(c.earlier, [x for i, x in sorted(chunks.items()) if first_own is None or i < first_own])
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
