"""What the library shows of one session, and the searchable lines it holds, derived from its journal.

``summarize`` turns a ``SessionRecord`` (read from a journal, which stays the
source of truth) into a ``SessionSummary`` (one row of the library) and the
``IndexedLine`` s the full-text index holds: every transcript line, every
live flag, every note on a mark, the review's findings, and the title.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from annotator.journal.record import SessionRecord
from annotator.models import Chunk

GENERIC_SOURCES = frozenset({"", "You", "Them", "you", "them"})
TITLE_CHARS = 70

REVIEW_NONE = ""
REVIEW_DONE = "reviewed"
REVIEW_FAILED = "review failed"


@dataclass(frozen=True)
class SessionSummary:
    """One session as the library lists it.

    ``title`` is what the user named it (a ``title`` journal record) or, when
    they did not, ``default_title``: the speakers' names when the transcript
    names them, else the first line. ``end_reason`` is None for a session
    that did not close cleanly (``unclean``). ``cost_usd`` adds every
    attempt's estimated cost, live analyses and reviews.
    """

    id: str
    path: str
    created: str
    duration: float
    title: str
    default_title: str
    speakers: tuple[str, ...]
    flags: int
    review: str
    cost_usd: float
    end_reason: str | None
    chunks: int
    audio: str = ""

    @property
    def unclean(self) -> bool:
        return self.end_reason is None

    @property
    def shown_title(self) -> str:
        return self.title or self.default_title or self.id

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "path": self.path,
            "created": self.created,
            "duration": round(self.duration, 3),
            "title": self.shown_title,
            "titled": bool(self.title),
            "speakers": list(self.speakers),
            "flags": self.flags,
            "review": self.review,
            "cost_usd": round(self.cost_usd, 6),
            "closed_cleanly": self.end_reason == "closed",
            "end_reason": self.end_reason,
            "chunks": self.chunks,
            "audio": self.audio or None,
        }


@dataclass(frozen=True)
class IndexedLine:
    """One searchable line: ``kind`` is "line" (what was said), "flag", "note", "review" or "title";
    ``at`` seconds from the session start; ``chunk_id`` the transcript line it belongs to, if any."""

    kind: str
    at: float
    text: str
    who: str = ""
    chunk_id: int | None = None


def speakers_of(chunks: tuple[Chunk, ...]) -> tuple[str, ...]:
    """Who spoke, in order of first appearance: the source, with the speaker id when separated."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        seen.setdefault(who_of(chunk), None)
    return tuple(name for name in seen if name)


def who_of(chunk: Chunk) -> str:
    if chunk.speaker_name:  # the name the user gave the speaker (issue 13)
        return chunk.speaker_name
    if chunk.speaker and chunk.source:
        return f"{chunk.source} ({chunk.speaker})"
    return chunk.source or chunk.speaker


def default_title(chunks: tuple[Chunk, ...]) -> str:
    """The speakers' names when the transcript names people (not just "You"/"Them"), else the first line."""
    names = [name for name in dict.fromkeys(c.source for c in chunks) if name not in GENERIC_SOURCES]
    if names:
        shown = " & ".join(names[:3])
        return shown + (f" +{len(names) - 3}" if len(names) > 3 else "")
    for chunk in chunks:
        text = " ".join(chunk.text.split())
        if text:
            return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"
    return ""


def review_state(record: SessionRecord) -> str:
    review = record.review
    if review is None:
        return REVIEW_NONE
    return REVIEW_DONE if review.result is not None else REVIEW_FAILED


def flag_count(record: SessionRecord) -> int:
    live = sum(len(a.insight.contradictions) for a in record.analyses if a.insight is not None)
    return live + sum(1 for m in record.marks if m.kind == "flag")


def cost_of(record: SessionRecord) -> float:
    live = sum(attempt.cost_usd for a in record.analyses for attempt in a.attempts)
    return live + sum(attempt.cost_usd for r in record.reviews for attempt in r.attempts)


def summarize(record: SessionRecord, *, session_id: str, path: str, audio: str = "") -> SessionSummary:
    chunks = record.chunks
    return SessionSummary(
        id=session_id,
        path=path,
        created=str(record.header.get("created", "")),
        duration=max((c.end for c in chunks), default=0.0),
        title=record.title,
        default_title=default_title(chunks),
        speakers=speakers_of(chunks),
        flags=flag_count(record),
        review=review_state(record),
        cost_usd=cost_of(record),
        end_reason=record.end_reason,
        chunks=len(chunks),
        audio=audio,
    )


def chunk_line(chunk: Chunk) -> IndexedLine:
    return IndexedLine("line", chunk.start, chunk.text, who_of(chunk), chunk.id)


def indexed_lines(record: SessionRecord) -> Iterator[IndexedLine]:
    """Every searchable line of a session, transcript first."""
    starts = {c.id: c.start for c in record.chunks}
    for chunk in record.chunks:
        if chunk.text.strip():
            yield chunk_line(chunk)
    for analysis in record.analyses:
        if analysis.insight is None:
            continue
        last = analysis.chunk_ids[-1] if analysis.chunk_ids else None
        at = starts.get(last, 0.0) if last is not None else 0.0
        for c in analysis.insight.contradictions:
            yield IndexedLine("flag", at, f"{c.statement} — {c.earlier}: {c.explanation}", "", last)
    for mark in record.marks:
        if mark.note.strip():
            yield IndexedLine("note", mark.at, mark.note, mark.kind, mark.chunk_id)
    review = record.review
    if review is not None and review.result is not None:
        result = review.result
        if result.summary:
            yield IndexedLine("review", 0.0, result.summary, "summary")
        for label, items in (("confirmed", result.confirmed), ("missed", result.missed)):
            for item in items:
                text = f"{item.statement} — {item.earlier}: {item.explanation}"
                yield IndexedLine("review", item.statement_at, text, label)
        for question in result.questions:
            yield IndexedLine("review", 0.0, question, "question")
    if record.title:
        yield IndexedLine("title", 0.0, record.title)
