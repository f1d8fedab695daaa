"""Flags as the window shows them, built from analyses and marks (pure, no Qt).

A provider quotes the new statement and the earlier one in its own words; when
it cites the earlier statement's id (``earlier_id``, one of the lines the
session memory quoted to it) that line is the earlier one; otherwise the
chunks they came from are found by ``text.quotes``, the rule the exports and the
review use too, so a card and the export name the same line. The window keeps a
``text.quotes.QuoteIndex`` of the session's lines as they arrive, so finding the
earlier statement of a flag two hours in does not read the whole transcript
(issue 19).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from annotator.analysis.identity import identity
from annotator.models import Analysis, Chunk, Mark
from annotator.text.quotes import QuoteIndex, find_statement, place_earlier, place_statement


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
    follow_up: str = ""  # a neutral question the interviewer could ask to clear it up
    speaker: str = ""  # who made the statement (a speaker's name or id), when known

    @property
    def key(self) -> tuple[frozenset[str], frozenset[str], bool]:
        """Flags with the same key say the same thing (a provider repeating itself)."""
        return flag_key(self.statement, self.earlier, self.manual)


def flag_key(statement: str, earlier: str, manual: bool = False) -> tuple[frozenset[str], frozenset[str], bool]:
    """The identity of a flag's content (``analysis.identity``), and whether the user made it."""
    return (*identity(statement, earlier), manual)


def flags_from_analysis(analysis: Analysis, chunks: Mapping[int, Chunk], index: QuoteIndex | None = None) -> list[Flag]:
    """One flag per contradiction in the analysis, tied to the chunks it quotes
    (``text.quotes.place_statement``/``place_earlier``; the lines before the analysis
    looked up in ``index`` when given, which must hold the same chunks)."""
    if analysis.insight is None or not analysis.insight.contradictions:
        return []
    own = [chunks[i] for i in analysis.chunk_ids if i in chunks]
    first_own = min(analysis.chunk_ids) if analysis.chunk_ids else None
    who = analysis.provider or ""
    if analysis.model:
        who = f"{who} · {analysis.model}"
    flags = []
    for c in analysis.insight.contradictions:
        new = place_statement(c.statement, own)
        cited = chunks.get(c.earlier_chunk) if c.earlier_chunk is not None else None
        if cited is not None:  # the line the model cited by its id (analysis.memory): that exact line
            old_id: int | None = cited.id
        elif index is not None:
            found = index.best(c.earlier, before=first_own) or find_statement(c.earlier, own)
            old_id = None if found is None else found.id
        else:
            before = [x for i, x in sorted(chunks.items()) if first_own is None or i < first_own]
            placed = place_earlier(c.earlier, before, own)
            old_id = None if placed is None else placed.id
        flags.append(
            Flag(
                statement=c.statement,
                earlier=c.earlier,
                explanation=c.explanation,
                chunk_id=None if new is None else new.id,
                earlier_chunk_id=old_id,
                at=new.start if new is not None else 0.0,
                source=who,
                earlier_at=None if cited is None else cited.start,
                follow_up=c.follow_up,
                speaker=new.speaker_name or new.speaker if new is not None else "",
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
        speaker=chunk.speaker_name or chunk.speaker if chunk else "",
    )
