"""Reading a journal back: the whole record, or cheaply its first or last line.

``read_journal`` is tolerant: a torn last line (the process died while
writing it) and unreadable or malformed lines are skipped, each with a
warning naming the file and the line; only a file that is not a journal, or
one from a newer format version, is an ``InputError``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from annotator.analysis.review_model import Review
from annotator.errors import InputError
from annotator.input_file import read_input_bytes
from annotator.journal.record import FORMAT, Revision, SessionEvent, SessionRecord, check_version
from annotator.models import Analysis, Chunk, Correction, Mark, SpeakerName, speaker_names

MAX_JOURNAL_BYTES = 1024 * 1024 * 1024
TAIL_BYTES = 65536  # the last record of a journal is read from this much of its end
MAX_HEADER_BYTES = 1024 * 1024


def read_journal(path: Path) -> SessionRecord:
    """Read a session journal. A torn last line (the process died while
    writing it) and unreadable lines are skipped with a warning; a file that
    is not a journal, or one from a newer format version, is an ``InputError``."""
    path = Path(path)
    raw = read_journal_bytes(path)
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    warnings: list[str] = []
    header: dict[str, Any] | None = None
    chunks: list[Chunk] = []
    analyses: list[Analysis] = []
    marks: list[Mark] = []
    errors: list[str] = []
    events: list[SessionEvent] = []
    reviews: list[Review] = []
    revisions: list[Revision] = []
    renames: list[SpeakerName] = []
    end_reason: str | None = None
    title = ""
    corrected: dict[int, str] = {}
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
            check_version(record.get("version"), path, number)
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
                events.append(SessionEvent.from_dict(record))
            elif kind == "error":
                errors.append(str(record["message"]))
            elif kind == "review":
                reviews.append(Review.from_dict(record))
            elif kind == "correction":
                corrected[int(record["chunk_id"])] = str(record["text"])
            elif kind == "title":
                title = str(record["title"]).strip()
            elif kind == "revision":
                revisions.append(Revision.from_dict(record))
            elif kind == "speaker":
                renames.append(SpeakerName.from_dict(record))
            elif kind == "end":
                end_reason = str(record.get("reason", "closed"))
            else:
                warnings.append(f"{path}:{number}: unknown record type {kind!r} skipped")
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            warnings.append(f"{path}:{number}: malformed {kind} record skipped ({type(err).__name__}: {err})")
    if header is None:
        raise InputError(f"{path}: is empty")
    live = tuple(chunks)
    # the live text, then the latest second pass over the audio, then the user's own corrections (which win)
    final, corrections = apply_corrections(list(revisions[-1].apply(live) if revisions else live), corrected)
    if end_reason is None:
        warnings.append(f"{path}: the session did not close cleanly (it may still be running, or was killed)")
    names = speaker_names(renames, chunks)  # from the chunks' own names (a replayed session), then renames
    return SessionRecord(
        header=header,
        chunks=tuple(c.named(names) for c in final),
        live_chunks=tuple(c.named(names) for c in live) if revisions or corrections else None,
        revisions=tuple(revisions),
        analyses=tuple(analyses),
        marks=tuple(marks),
        errors=tuple(errors),
        events=tuple(events),
        end_reason=end_reason,
        warnings=tuple(warnings),
        path=path,
        reviews=tuple(reviews),
        title=title,
        corrections=corrections,
        speakers=tuple(renames),
    )


def apply_corrections(chunks: list[Chunk], corrected: dict[int, str]) -> tuple[list[Chunk], tuple[Correction, ...]]:
    """The chunks with the user's corrections applied, and the corrections with each original."""
    if not corrected:
        return chunks, ()
    out: list[Chunk] = []
    corrections: list[Correction] = []
    for chunk in chunks:
        text = corrected.get(chunk.id)
        if text is not None and text != chunk.text:
            corrections.append(Correction(chunk.id, text, chunk.text))
            chunk = dataclasses.replace(chunk, text=text)
        out.append(chunk)
    return out, tuple(corrections)


def read_journal_bytes(path: Path) -> bytes:
    """A journal's whole file, or ``InputError`` saying why not."""
    return read_input_bytes(path, what="a session journal", max_bytes=MAX_JOURNAL_BYTES)


def read_header(path: Path) -> dict[str, Any] | None:
    """A journal's header record (reads only its first line); None if it is not a journal."""
    try:
        return first_record(Path(path))
    except OSError:
        return None


def first_record(path: Path) -> dict[str, Any] | None:
    """The header record of a journal (reads only its first line); None if it is not a journal."""
    with path.open("rb") as f:
        line = f.readline(MAX_HEADER_BYTES)
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(record, dict) and record.get("type") == "header" and record.get("format") == FORMAT:
        return record
    return None


def last_record(path: Path) -> dict[str, Any] | None:
    """The last complete record of a journal (reads only its tail)."""
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - TAIL_BYTES))
        tail = f.read()
    if not tail.endswith(b"\n"):
        return None  # a torn last line: certainly not closed
    for line in reversed(tail.split(b"\n")):
        if line.strip():
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return None
            return record if isinstance(record, dict) else None
    return None


def is_closed(last: dict[str, Any] | None) -> bool:
    """Whether a journal whose last record is ``last`` ended with an ``end`` record."""
    return last is not None and last.get("type") == "end"


def last_seq(raw: bytes) -> int | None:
    """The ``seq`` of the last whole record in a journal's bytes (None if none)."""
    for line in reversed(raw.split(b"\n")):
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("seq"), int):
            return int(record["seq"])
    return None
