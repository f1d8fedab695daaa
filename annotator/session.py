"""The session journal: one JSON Lines file per session, written as things happen.

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
    {"type": "event", "kind": "device_change" | "backlog" | ..., "data": {...}}
    {"type": "error", "message": "..."}
    {"type": "end", "reason": "closed" | "recovered", "records": 42}

An insight and the attempts that produced it are ONE ``analysis`` record
(``models.Analysis.to_dict()``), written when the chain answers or gives up.
A session without an ``end`` record did not close cleanly; ``find_unfinished``
lists those and ``repair`` closes them (``reason: "recovered"``).

Durability: each record is handed to a writer thread and written to the file
at once (so ``kill -9`` of the process loses only records still in the queue:
microseconds' worth), and the file is fsync'd at most ``sync_interval``
seconds after a record was written, and on close (so a power cut loses at
most the last interval). The write calls never block on the disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator import __version__
from annotator.errors import InputError
from annotator.models import Analysis, Chunk, Mark

FORMAT = "annotator-session"
FORMAT_VERSION = 1
EXPORT_FORMAT = "annotator-session-export"
SUFFIX = ".jsonl"
AUDIO_SUFFIXES = (".flac", ".wav")
MAX_JOURNAL_BYTES = 1024 * 1024 * 1024
DEFAULT_SYNC_INTERVAL = 1.0


@dataclass(frozen=True)
class SessionEvent:
    """Something that happened during a session other than speech: a device
    change, a backlog report, ... ``ts`` is wall-clock Unix time (None if unknown)."""

    kind: str
    data: dict[str, Any]
    ts: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data, "ts": self.ts}


@dataclass(frozen=True)
class SessionRecord:
    """Everything a session journal (or its JSON export) holds, read back.

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

    @property
    def closed_cleanly(self) -> bool:
        return self.end_reason == "closed"

    @property
    def id(self) -> str:
        """The session id: the journal's file stem ("" when not read from a file)."""
        return self.path.stem if self.path is not None else ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON export shape (see ``annotator.export``)."""
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
        }


def session_record_from_export(data: Any, path: Path) -> SessionRecord:
    """Rebuild a record from ``SessionRecord.to_dict()`` output (a JSON export)."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InputError(f"{path}: not an annotator session export (no \"format\": \"{EXPORT_FORMAT}\")")
    _check_version(data.get("version"), path, 1)
    try:
        return SessionRecord(
            header=dict(data.get("header") or {}),
            chunks=tuple(Chunk.from_dict(c) for c in data.get("chunks", ())),
            analyses=tuple(Analysis.from_dict(a) for a in data.get("analyses", ())),
            marks=tuple(Mark.from_dict(m) for m in data.get("marks", ())),
            errors=tuple(str(e) for e in data.get("errors", ())),
            events=tuple(
                SessionEvent(str(e["kind"]), dict(e.get("data") or {}), e.get("ts")) for e in data.get("events", ())
            ),
            end_reason=data.get("end_reason"),
            path=path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(f"{path}: malformed session export ({type(err).__name__}: {err})") from err


def _check_version(version: Any, path: Path, line: int) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(f"{path}:{line}: session format version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise InputError(
            f"{path}:{line}: written by a newer annotator (session format version {version}; this annotator "
            f"{__version__} reads up to version {FORMAT_VERSION}); update annotator to open it"
        )


# --------------------------------------------------------------------------- reading


def read_journal(path: Path) -> SessionRecord:
    """Read a session journal. A torn last line (the process died while
    writing it) and unreadable lines are skipped with a warning; a file that
    is not a journal, or one from a newer format version, is an ``InputError``."""
    path = Path(path)
    raw = _read_bytes(path)
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    warnings: list[str] = []
    header: dict[str, Any] | None = None
    chunks: list[Chunk] = []
    analyses: list[Analysis] = []
    marks: list[Mark] = []
    errors: list[str] = []
    events: list[SessionEvent] = []
    end_reason: str | None = None
    last_index = len(lines) - 1
    for index, line in enumerate(lines):
        number = index + 1
        if not line.strip():
            continue
        torn = index == last_index and not complete
        try:
            record = json.loads(line.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except (UnicodeDecodeError, ValueError) as err:
            if header is None:
                raise InputError(f"{path}:{number}: not an annotator session journal (no header record)") from err
            if torn:
                warnings.append(f"{path}:{number}: the last record was cut off (the session was interrupted); skipped")
            else:
                warnings.append(f"{path}:{number}: unreadable record skipped ({err})")
            continue
        kind = record.get("type")
        if header is None:
            if kind != "header" or record.get("format") != FORMAT:
                raise InputError(f"{path}:{number}: not an annotator session journal (no header record)")
            _check_version(record.get("version"), path, number)
            header = {k: v for k, v in record.items() if k not in ("type", "seq")}
            continue
        try:
            if kind == "chunk":
                chunks.append(Chunk.from_dict(record))
            elif kind == "analysis":
                analyses.append(Analysis.from_dict(record))
            elif kind == "mark":
                marks.append(Mark.from_dict(record))
            elif kind == "event":
                events.append(SessionEvent(str(record["kind"]), dict(record.get("data") or {}), record.get("ts")))
            elif kind == "error":
                errors.append(str(record["message"]))
            elif kind == "end":
                end_reason = str(record.get("reason", "closed"))
            else:
                warnings.append(f"{path}:{number}: unknown record type {kind!r} skipped")
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            warnings.append(f"{path}:{number}: malformed {kind} record skipped ({type(err).__name__}: {err})")
    if header is None:
        raise InputError(f"{path}: is empty")
    if end_reason is None:
        warnings.append(f"{path}: the session did not close cleanly (it may still be running, or was killed)")
    return SessionRecord(
        header=header,
        chunks=tuple(chunks),
        analyses=tuple(analyses),
        marks=tuple(marks),
        errors=tuple(errors),
        events=tuple(events),
        end_reason=end_reason,
        warnings=tuple(warnings),
        path=path,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_JOURNAL_BYTES:
            raise InputError(f"{path}: too large for a session journal ({size // (1024 * 1024)} MB)")
        raw = path.read_bytes()
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, not a session journal") from err
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except PermissionError as err:
        raise InputError(f"{path}: not readable (permission denied)") from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from err
    if not raw.strip():
        raise InputError(f"{path}: is empty")
    return raw
