"""The record shape: what a session journal holds, line by line and read back.

File format (``FORMAT_VERSION`` 1), one JSON object per line, each with a
``type``, a ``seq`` (0, 1, 2, ... in write order) and ``ts`` (wall-clock Unix
time, seconds)::

    {"type": "header", "format": "annotator-session", "version": 1, "app_version": "0.1.0",
     "created": "2026-11-25T16:20:03+00:00", ...caller's fields: model, devices, chain...}
    {"type": "chunk", "id": 1, "source": "You", "start": 0.52, "end": 3.1, "text": "..."}
    {"type": "analysis", "chunk_ids": [1], "text": "...", "provider": "groq", "model": "...",
     "insight": {...} | null, "attempts": [{provider, model, outcome, status, elapsed_ms,
     input_tokens, output_tokens, cost_usd, detail}, ...], "elapsed_ms": 900}
    {"type": "mark", "at": 12.0, "kind": "bookmark" | "flag", "note": "...", "chunk_id": 3}
    {"type": "speaker", "id": "S1", "name": "Candidate"}     (the user named a speaker; "" unnames)
    {"type": "event", "kind": "device_change" | "backlog" | ..., "data": {...}}
    {"type": "error", "message": "..."}
    {"type": "review", "created": "...", "provider": "claude", "model": "...", "parts": 1,
     "result": {...} | null, "attempts": [...], ...}      (``analysis.review_model.Review.to_dict()``)
    {"type": "title", "title": "Interview with Ada"}      (the user renamed the session; the last one wins)
    {"type": "correction", "chunk_id": 3, "text": "..."}   (the user corrected line 3; the chunk record
                                                           keeps the original; the last correction wins)
    {"type": "revision", "revision": 2, "model": "small.en", "vocabulary": [...],
     "chunks": [{"id": 1, "text": "..."}, ...]}       (a second pass over the audio: ``Revision.to_dict()``;
                                                       the latest wins, the user's corrections win over it)
    {"type": "end", "reason": "closed" | "recovered", "records": 42}

An insight and the attempts that produced it are ONE ``analysis`` record
(``models.Analysis.to_dict()``), written when the chain answers or gives up.
A session without an ``end`` record did not close cleanly; ``store.find_unfinished``
lists those and ``recovery.repair`` closes them (``reason: "recovered"``).

A post-session review is appended after the session ended
(``recovery.append_review``): the ``review`` record and then a fresh ``end``
record with the same reason as before, in one write, so the journal still
ends with an ``end`` record (a reader takes the last one) and is never
offered for recovery. An open journal takes it with ``Journal.write_review``.
Marks the user makes while a saved session is on screen are appended the same
way (``recovery.append_mark``): ordinary ``mark`` records, so every reader
keeps them. So is a second pass over the saved audio (``annotator retranscribe``):
a ``revision`` record with each chunk's new text; a reader applies the latest one
(``SessionRecord.chunks``) and keeps the live text (``live_chunks``).
So are speaker names (``recovery.append_speaker``).

Chunk records carry ``speaker`` (the id, from speaker separation) when known;
the names are ``speaker`` records (the last for an id holds), applied to the
chunks as they are read (``Chunk.speaker_name``). Journals from before either
read as they did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from annotator import __version__
from annotator.analysis.review_model import Review
from annotator.errors import InputError
from annotator.models import Analysis, Chunk, Correction, Mark, SpeakerName, speaker_names

FORMAT = "annotator-session"
FORMAT_VERSION = 1
EXPORT_FORMAT = "annotator-session-export"


@dataclass(frozen=True)
class SessionEvent:
    """Something that happened during a session other than speech: a device
    change, a backlog report, ... ``ts`` is wall-clock Unix time (None if unknown)."""

    kind: str
    data: dict[str, Any]
    ts: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data, "ts": self.ts}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SessionEvent:
        """An ``event`` record (or an exported event) read back."""
        return cls(str(d["kind"]), dict(d.get("data") or {}), d.get("ts"))


@dataclass(frozen=True)
class Revision:
    """A later, better transcript of a session (``annotator retranscribe``): the text of each
    chunk heard again from the saved audio by ``model``. Chunks keep their id, source, speaker
    and times, so analyses, marks and the review still point at the same statements; the
    journal keeps the live text (its ``chunk`` records) and appends the revision."""

    number: int  # 2 for the first revision: the live transcript is 1
    model: str
    texts: dict[int, str]  # chunk id -> text
    vocabulary: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision": self.number,
            "model": self.model,
            "vocabulary": list(self.vocabulary),
            "chunks": [{"id": cid, "text": text} for cid, text in self.texts.items()],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Revision:
        return cls(
            number=int(d["revision"]),
            model=str(d.get("model", "")),
            texts={int(c["id"]): str(c["text"]) for c in d["chunks"]},
            vocabulary=tuple(str(t) for t in d.get("vocabulary", ())),
        )

    def apply(self, chunks: tuple[Chunk, ...]) -> tuple[Chunk, ...]:
        """``chunks`` with this revision's text where it has one."""
        return tuple(replace(c, text=self.texts[c.id]) if c.id in self.texts else c for c in chunks)


@dataclass(frozen=True)
class SessionRecord:
    """Everything a session journal (or its JSON export) holds, read back.

    ``chunks`` carry the user's corrections (``corrections`` keeps each line's original text).
    ``end_reason`` is "closed" (closed cleanly), "recovered" (closed by
    ``repair``) or None (never closed: the process died). ``warnings`` are
    readable sentences about what was skipped while reading (e.g. a torn
    last line).
    """

    header: dict[str, Any]
    chunks: tuple[Chunk, ...] = ()
    analyses: tuple[Analysis, ...] = ()
    marks: tuple[Mark, ...] = ()
    errors: tuple[str, ...] = ()
    events: tuple[SessionEvent, ...] = ()
    end_reason: str | None = None
    warnings: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)
    reviews: tuple[Review, ...] = ()
    title: str = ""
    corrections: tuple[Correction, ...] = ()
    revisions: tuple[Revision, ...] = ()
    live_chunks: tuple[Chunk, ...] | None = (
        None  # the chunks as journaled live, when a revision or correction changed them
    )

    @property
    def revision(self) -> Revision | None:
        """The latest transcript revision (None: the live transcript is the only one)."""
        return self.revisions[-1] if self.revisions else None

    speakers: tuple[SpeakerName, ...] = ()

    @property
    def names(self) -> dict[str, str]:
        """Speaker id -> the name the user gave it."""
        return speaker_names(self.speakers)

    @property
    def closed_cleanly(self) -> bool:
        return self.end_reason == "closed"

    @property
    def review(self) -> Review | None:
        """The latest post-session review (reviews are appended; a re-run adds one)."""
        return self.reviews[-1] if self.reviews else None

    @property
    def id(self) -> str:
        """The session id: the journal's file stem ("" when not read from a file)."""
        return self.path.stem if self.path is not None else ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON export shape (see ``annotator.formats.json``, which reads it back)."""
        return {
            "format": EXPORT_FORMAT,
            "version": FORMAT_VERSION,
            "id": self.id,
            "header": self.header,
            "closed_cleanly": self.closed_cleanly,
            "end_reason": self.end_reason,
            "chunks": [c.to_dict() for c in self.chunks],
            "analyses": [a.to_dict() for a in self.analyses],
            "marks": [m.to_dict() for m in self.marks],
            "events": [e.to_dict() for e in self.events],
            "errors": list(self.errors),
            **({"reviews": [r.to_dict() for r in self.reviews]} if self.reviews else {}),
            **({"title": self.title} if self.title else {}),
            **({"corrections": [c.to_dict() for c in self.corrections]} if self.corrections else {}),
            **({"revisions": [r.to_dict() for r in self.revisions]} if self.revisions else {}),
            **({"speakers": [s.to_dict() for s in self.speakers]} if self.speakers else {}),
        }


def check_version(version: Any, path: Path, line: int) -> None:
    """``InputError`` unless ``version`` is a format version this annotator reads."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(f"{path}:{line}: session format version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise InputError(
            f"{path}:{line}: written by a newer annotator (session format version {version}; this annotator "
            f"{__version__} reads up to version {FORMAT_VERSION}); update annotator to open it"
        )


def encode(record: dict[str, Any]) -> bytes:
    """One JSON line. Characters that some line readers split on (U+2028,
    U+2029, NEL) are escaped too, so every record is exactly one line anywhere."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
    return (text + "\n").encode("utf-8")
