"""Closing a journal after the fact: the one way to end one that is not being written.

``repair`` closes a journal that never closed (the process died): it drops a
torn last line and appends an ``end`` record with ``reason: "recovered"``.
``append_review`` and ``append_mark`` add records to a saved session and
close it again with a fresh ``end`` record of the same reason (repairing it
first if it never closed). All three go through ``_seal``: take the writer's
lock, cut a torn tail, append the records and the ``end`` record in one
write, continue the ``seq`` numbering, fsync.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.analysis.review_model import Review
from annotator.errors import JournalError
from annotator.journal.files import BINARY, in_use, lock_exclusive, write_all
from annotator.journal.reader import last_seq, read_journal, read_journal_bytes
from annotator.journal.record import SessionRecord, encode
from annotator.models import Mark, SpeakerName


def repair(path: Path) -> SessionRecord:
    """Close a journal that was never closed: drop a torn last line, append an
    ``end`` record with ``reason: "recovered"`` and sync. Returns the record as
    read afterwards, its warnings saying what was repaired. A journal that is
    already closed is returned unchanged."""
    path = Path(path)
    busy = f"{path}: is being written by a running annotator; it cannot be repaired now"
    if in_use(path):
        raise JournalError(busy)
    record = read_journal(path)
    if record.end_reason is not None:
        return record
    cannot = f"{path}: cannot repair the session journal"
    dropped = _seal(path, (), reason="recovered", busy=busy, cannot_open=cannot, cannot_write=cannot)
    notes = (f"{path}: dropped a torn last line ({dropped} bytes) while repairing",) if dropped else ()
    repaired = read_journal(path)
    return dataclasses.replace(repaired, warnings=notes + repaired.warnings)


def append_review(path: Path, review: Review) -> SessionRecord:
    """Append ``review`` to the journal at ``path`` when no annotator is writing it.

    The journal stays closed: the ``review`` record and a fresh ``end`` record
    (same reason as the session's, seq numbers continued) go to the file in
    one write, then it is synced. A journal that never closed (the process
    died) is repaired first, so it ends ``"recovered"`` rather than being
    offered for recovery again; the torn tail of an earlier append that was
    interrupted is dropped. Raises ``JournalError`` when a running annotator
    holds the file (use ``Journal.write_review`` there) or the file cannot be
    written; returns the journal as read afterwards.
    """
    return append_records(path, [("review", review.to_dict())], what="the review", when="review it")


def append_mark(path: Path, mark: Mark) -> SessionRecord:
    """Append a bookmark or flag the user made while the saved session at ``path``
    was on screen: a ``mark`` record, as a live session writes it (every reader
    already knows it), then a fresh ``end`` record, as ``append_review`` does."""
    return append_records(path, [("mark", mark.to_dict())], what="the mark", when="mark it")


def append_title(path: Path, title: str) -> SessionRecord:
    """Rename a saved session: a ``title`` record (the last one wins; earlier ones stay), then a
    fresh ``end`` record, as ``append_review`` does."""
    return append_records(path, [("title", {"title": title.strip()})], what="the title", when="rename it")


def append_correction(path: Path, chunk_id: int, text: str) -> SessionRecord:
    """Correct line ``chunk_id`` of a saved session: a ``correction`` record (the chunk record
    keeps what was transcribed), then a fresh ``end`` record, as ``append_review`` does."""
    text = " ".join(text.split())
    if not text:
        raise JournalError(f"{path}: a corrected line cannot be empty")
    return append_records(
        path, [("correction", {"chunk_id": int(chunk_id), "text": text})], what="the correction", when="correct it"
    )


def append_speaker(path: Path, rename: SpeakerName) -> SessionRecord:
    """Append the name the user gave a speaker while the saved session at ``path`` was on
    screen: a ``speaker`` record, as a live session writes it, then a fresh ``end`` record."""
    return append_records(path, [("speaker", rename.to_dict())], what="the speaker's name", when="rename")


def append_records(
    path: Path, records: Sequence[tuple[str, dict[str, Any]]], *, what: str = "records", when: str = "try again"
) -> SessionRecord:
    """Append ``records`` (type, body) to a closed (or never closed) journal, then an
    ``end`` record, in one write, synced: see ``append_review``. ``what`` and
    ``when`` name the records and what to do for the error sentences."""
    path = Path(path)
    record = read_journal(path)
    if record.end_reason is None:
        record = repair(path)  # raises if a running annotator holds it
    _seal(
        path,
        records,
        reason=record.end_reason or "recovered",
        busy=f"{path}: is being written by a running annotator; {when} after that session has ended",
        cannot_open=f"{path}: cannot open the session journal to add {what}",
        cannot_write=f"{path}: cannot add {what} to the session journal",
    )
    return read_journal(path)


def _seal(
    path: Path,
    records: Sequence[tuple[str, dict[str, Any]]],
    *,
    reason: str,
    busy: str,
    cannot_open: str,
    cannot_write: str,
) -> int:
    """Append ``records`` and an ``end`` record with ``reason`` to the journal at
    ``path`` under the writer's lock, in one write, then fsync. A torn last
    line is cut first (a whole record that only lacks its newline stays).
    Returns how many bytes were cut. ``JournalError`` with ``busy`` when a
    running annotator holds the file, else with ``cannot_open`` or
    ``cannot_write`` and the system's reason."""
    try:
        fd = os.open(path, os.O_RDWR | BINARY)
    except OSError as err:
        raise JournalError(f"{cannot_open} ({err.strerror or err})") from err
    try:
        try:
            lock_exclusive(fd)
        except OSError as err:
            raise JournalError(busy) from err
        raw = read_journal_bytes(path)
        keep = raw.rfind(b"\n") + 1  # up to the end of the last complete line
        prefix = b""
        try:
            complete = isinstance(json.loads(raw[keep:].decode("utf-8")), dict)
        except (UnicodeDecodeError, ValueError):
            complete = False
        if complete:
            keep, prefix = len(raw), b"\n"
        try:
            if keep < len(raw):
                os.ftruncate(fd, keep)
            seq = (last_seq(raw[:keep]) or 0) + 1
            now = round(time.time(), 3)
            data = b""
            for kind, body in records:
                data += encode({"type": kind, "seq": seq, "ts": now, **body})
                seq += 1
            data += encode({"type": "end", "seq": seq, "ts": now, "reason": reason, "records": seq})
            os.lseek(fd, 0, os.SEEK_END)
            write_all(fd, prefix + data)
            os.fsync(fd)
        except OSError as err:
            raise JournalError(f"{cannot_write} ({err.strerror or err})") from err
    finally:
        os.close(fd)
    return len(raw) - keep
