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
    {"type": "review", "created": "...", "provider": "claude", "model": "...", "parts": 1,
     "result": {...} | null, "attempts": [...], ...}      (``analysis.review.Review.to_dict()``)
    {"type": "end", "reason": "closed" | "recovered", "records": 42}

An insight and the attempts that produced it are ONE ``analysis`` record
(``models.Analysis.to_dict()``), written when the chain answers or gives up.
A session without an ``end`` record did not close cleanly; ``find_unfinished``
lists those and ``repair`` closes them (``reason: "recovered"``).

A post-session review is appended after the session ended with
``append_review``: the ``review`` record and then a fresh ``end`` record with
the same reason as before, in one write, so the journal still ends with an
``end`` record (a reader takes the last one) and is never offered for
recovery. An open journal takes it with ``Journal.write_review``. Marks the
user makes while a saved session is on screen are appended the same way
(``append_mark``): ordinary ``mark`` records, so every reader keeps them.

Durability: each record is handed to a writer thread and written to the file
at once (so ``kill -9`` of the process loses only records still in the queue:
microseconds' worth), and the file is fsync'd at most ``sync_interval``
seconds after a record was written, and on close (so a power cut loses at
most the last interval). The write calls never block on the disk.
"""

from __future__ import annotations

import atexit
import dataclasses
import errno
import glob
import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from annotator import __version__, paths
from annotator.analysis.review import Review
from annotator.audio.suffixes import RECORDING_SUFFIXES
from annotator.errors import InputError, JournalError
from annotator.models import Analysis, Chunk, Mark

try:  # an advisory lock marks a journal that a running annotator is writing
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, a running session's file may be offered for recovery
    fcntl = None  # type: ignore[assignment]

FORMAT = "annotator-session"
FORMAT_VERSION = 1
EXPORT_FORMAT = "annotator-session-export"
SUFFIX = ".jsonl"
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
    reviews: tuple[Review, ...] = ()

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
            **({"reviews": [r.to_dict() for r in self.reviews]} if self.reviews else {}),
        }


def session_record_from_export(data: Any, path: Path) -> SessionRecord:
    """Rebuild a record from ``SessionRecord.to_dict()`` output (a JSON export)."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InputError(f'{path}: not an annotator session export (no "format": "{EXPORT_FORMAT}")')
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
            reviews=tuple(Review.from_dict(r) for r in data.get("reviews", ())),
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
    reviews: list[Review] = []
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
            elif kind == "review":
                reviews.append(Review.from_dict(record))
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
        reviews=tuple(reviews),
    )


def _last_seq(raw: bytes) -> int | None:
    """The ``seq`` of the last whole record in a journal's bytes (None if none)."""
    for line in reversed(raw.split(b"\n")):
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("seq"), int):
            return int(record["seq"])
    return None


def read_input_bytes(path: Path, *, what: str, max_bytes: int) -> bytes:
    """A whole input file (journal, transcript), or ``InputError`` with one
    sentence naming it: missing, a directory, unreadable, too large, empty."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: too large for {what} ({size // (1024 * 1024)} MB)")
        raw = path.read_bytes()
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, not {what}") from err
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except PermissionError as err:
        raise InputError(f"{path}: not readable (permission denied)") from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from err
    if not raw.strip():
        raise InputError(f"{path}: is empty")
    return raw


def _read_bytes(path: Path) -> bytes:
    return read_input_bytes(path, what="a session journal", max_bytes=MAX_JOURNAL_BYTES)


# --------------------------------------------------------------------------- secrets

_SECRET_NAME = re.compile(
    r"(?:^|[_\-.])(?:api[_\-]?key|key|secret|password|passwd|token|authorization|auth|bearer|credentials?)(?:$|[_\-.])",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"(?:\b(?:sk|pk|rk|gsk|csk|xai|nvapi|hf)[-_][A-Za-z0-9_\-]{12,}"
    r"|\bAIza[A-Za-z0-9_\-]{30,}"
    r"|\bBearer\s+\S{8,})"
)
REDACTED = "[redacted]"


def scrub_secrets(value: Any) -> Any:
    """A copy of ``value`` with anything that looks like a credential removed.

    Dict entries whose name says key/secret/token/password/authorization are
    dropped (names ending in ``_env``, which only name an environment
    variable, are kept); strings that look like API keys (``sk-...``,
    ``gsk_...``, ``nvapi-...``, ``AIza...``, ``Bearer ...``) become ``[redacted]``.
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            name = str(k)
            if _SECRET_NAME.search(name) and not name.lower().endswith("_env"):
                continue
            out[name] = scrub_secrets(v)
        return out
    if isinstance(value, (list, tuple)):
        return [scrub_secrets(v) for v in value]
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    return value


# --------------------------------------------------------------------------- writing


class Journal:
    """Appends one session's records to its JSON Lines file without ever
    blocking the caller on the disk.

    Each ``write_*`` call serialises the record (a snapshot, so callers may
    reuse their objects), gives it the next ``seq`` number, queues it and
    returns that number at once; it is safe from any thread (the asyncio loop,
    Qt, a worker). A writer thread writes each record to the file as soon as
    it is queued; a sync thread fsyncs the file at most ``sync_interval``
    seconds after a record was written, and ``close()`` writes the ``end``
    record and syncs. If the disk refuses a write (full, gone), the records
    are kept in memory and retried with the next record, ``failure`` says
    why, ``on_error`` is called once (from the writer thread), and ``close()``
    raises ``JournalError`` if anything was still unwritten at the end.

        journal = Journal.create(header={"model": "tiny.en", "chain": [...]})
        journal.write_chunk(chunk)           # and the other write_* calls, as things happen
        journal.close()  # or: await journal.aclose()
    """

    def __init__(
        self,
        path: Path,
        fd: int,
        *,
        next_seq: int,
        sync_interval: float = DEFAULT_SYNC_INTERVAL,
        clock: Callable[[], float] = time.time,
        on_error: Callable[[JournalError], None] | None = None,
        audio_suffix: str = ".flac",
    ) -> None:
        """Use ``Journal.create``; this adopts an open, locked file descriptor."""
        self.path = path
        self.audio_path = path.with_suffix(audio_suffix)
        self.sync_interval = sync_interval
        self._fd = fd
        self._clock = clock
        self._on_error = on_error
        self._lock = threading.Lock()  # seq order == queue order
        self._cond = threading.Condition()  # guards the counters below
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._next_seq = next_seq
        self._written_seq = next_seq - 1
        self._synced_seq = next_seq - 1
        self._dirty_since: float | None = None
        self._sync_target = 0
        self._stopping = False
        self._closed = False
        self._finished = False
        self._failure: JournalError | None = None
        self._failure_kind = ""
        self._reported = False
        self._writer = threading.Thread(target=self._write_loop, name=f"journal-writer {path.name}", daemon=True)
        self._syncer = threading.Thread(target=self._sync_loop, name=f"journal-sync {path.name}", daemon=True)
        self._writer.start()
        self._syncer.start()
        atexit.register(self._at_exit)

    # ---------------------------------------------------------------- creation

    @classmethod
    def create(
        cls,
        directory: Path | None = None,
        *,
        header: dict[str, Any],
        sync_interval: float = DEFAULT_SYNC_INTERVAL,
        clock: Callable[[], float] = time.time,
        on_error: Callable[[JournalError], None] | None = None,
        audio_suffix: str = ".flac",
    ) -> Journal:
        """Create ``<directory>/<YYYY-MM-DD_HH-MM-SS>[-n].jsonl`` (local time;
        ``paths.sessions_dir()`` by default) and write its header record,
        synced before this returns. ``header`` holds the caller's facts (model,
        devices, the chain as ``[{"name", "model"}]``...); anything that looks
        like a credential is stripped (see ``scrub_secrets``)."""
        directory = Path(directory) if directory is not None else paths.sessions_dir()
        now = clock()
        try:
            paths.private_dir(directory)
        except OSError as err:
            raise JournalError(f"{directory}: cannot create the sessions directory ({err.strerror or err})") from err
        stem = datetime.fromtimestamp(now).strftime("%Y-%m-%d_%H-%M-%S")
        path, fd = _create_exclusive(directory, stem)
        ours: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "app_version": __version__,
            "created": datetime.fromtimestamp(now).astimezone().isoformat(timespec="seconds"),
        }
        record: dict[str, Any] = {"type": "header", "seq": 0, "ts": round(now, 3), **ours}
        for key, value in scrub_secrets(dict(header)).items():
            record.setdefault(key, value)  # the caller cannot override the fields above
        try:
            _write_all(fd, _encode(record))
            os.fsync(fd)
            _sync_directory(directory)
        except OSError as err:
            os.close(fd)
            raise JournalError(f"{path}: cannot write the session journal ({err.strerror or err})") from err
        return cls(
            path,
            fd,
            next_seq=1,
            sync_interval=sync_interval,
            clock=clock,
            on_error=on_error,
            audio_suffix=audio_suffix,
        )

    # ---------------------------------------------------------------- writing (any thread, never blocks)

    def write_chunk(self, chunk: Chunk) -> int:
        return self._put("chunk", chunk.to_dict())

    def write_analysis(self, analysis: Analysis) -> int:
        """The insight (or None) and every attempt that produced it, as one record."""
        return self._put("analysis", analysis.to_dict())

    def write_mark(self, mark: Mark) -> int:
        return self._put("mark", mark.to_dict())

    def write_event(self, kind: str, data: dict[str, Any]) -> int:
        """A device change, a backlog report, ... ``data`` must be JSON-able
        (anything else is written as its ``str``); credentials are stripped."""
        return self._put("event", {"kind": str(kind), "data": scrub_secrets(dict(data))})

    def write_error(self, message: str) -> int:
        return self._put("error", {"message": scrub_secrets(str(message))})

    def write_review(self, review: Review) -> int:
        """A post-session review of this (still open) session, as one record."""
        return self._put("review", review.to_dict())

    def _put(self, kind: str, body: dict[str, Any]) -> int:
        with self._lock:
            if self._closed:
                raise JournalError(f"{self.path}: the session journal is closed")
            seq = self._next_seq
            self._next_seq += 1
            record: dict[str, Any] = {"type": kind, "seq": seq, "ts": round(self._clock(), 3)}
            record.update(body)
            self._queue.put(_encode(record))
        return seq

    # ---------------------------------------------------------------- state

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the last record handed in (0: only the header)."""
        with self._lock:
            return self._next_seq - 1

    @property
    def written_seq(self) -> int:
        """Records up to this ``seq`` are in the file (survive ``kill -9``)."""
        with self._cond:
            return self._written_seq

    @property
    def synced_seq(self) -> int:
        """Records up to this ``seq`` are fsync'd (survive a power cut)."""
        with self._cond:
            return self._synced_seq

    @property
    def failure(self) -> JournalError | None:
        """Why the last write or sync failed, if one did."""
        with self._cond:
            return self._failure

    @property
    def closed(self) -> bool:
        return self._closed

    def wait_synced(self, seq: int | None = None, timeout: float | None = None) -> bool:
        """Block until records up to ``seq`` (default: all handed in so far) are
        synced; True if they are. Not for the event loop: use ``sync`` there
        via ``asyncio.to_thread`` or just trust the interval."""
        target = self.last_seq if seq is None else seq
        with self._cond:
            self._cond.wait_for(lambda: self._synced_seq >= target or self._finished, timeout)
            return self._synced_seq >= target

    def sync(self, timeout: float | None = None) -> bool:
        """Sync now rather than at the interval; blocks (bounded by ``timeout``)
        until every record handed in so far is on disk."""
        target = self.last_seq
        with self._cond:
            self._sync_target = max(self._sync_target, target)
            self._cond.notify_all()
        return self.wait_synced(target, timeout)

    # ---------------------------------------------------------------- closing

    def close(self) -> None:
        """Write the ``end`` record, sync and close the file. Blocks for the
        final fsync (milliseconds); from asyncio prefer ``await aclose()``.
        Idempotent. Raises ``JournalError`` if records could not be written."""
        with self._lock:
            if self._closed:
                return
            seq = self._next_seq
            self._next_seq += 1
            record = {"type": "end", "seq": seq, "ts": round(self._clock(), 3), "reason": "closed", "records": seq}
            self._queue.put(_encode(record))
            self._closed = True
        self._shut_down()
        failure = self.failure
        if failure is not None and self.written_seq < seq:
            raise JournalError(f"{failure}; {seq - self.written_seq} record(s) could not be saved")

    async def aclose(self) -> None:
        """``close()`` in a worker thread, so the event loop never waits on the disk."""
        import asyncio

        await asyncio.to_thread(self.close)

    def _at_exit(self) -> None:
        """The interpreter is exiting without ``close()``: save what was queued,
        but write no end record (the session was not closed; recovery offers it)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._shut_down()

    def _shut_down(self) -> None:
        self._queue.put(None)
        self._writer.join()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._syncer.join()
        try:
            os.close(self._fd)  # releases the lock too
        except OSError:
            pass
        atexit.unregister(self._at_exit)

    # ---------------------------------------------------------------- threads

    def _fail(self, err: OSError, what: str) -> None:
        failure = JournalError(f"{self.path}: cannot {what} the session journal ({err.strerror or err})")
        with self._cond:
            if self._failure is None or self._failure_kind == what:
                self._failure = failure
                self._failure_kind = what
            report = not self._reported
            self._reported = True
        if report and self._on_error is not None:
            try:
                self._on_error(failure)
            except Exception:  # noqa: BLE001 - a broken callback must not stop the writer
                pass

    def _write_loop(self) -> None:
        backlog = bytearray()
        backlog_count = 0
        stop = False
        while not stop:
            item = self._queue.get()
            items = [item]
            while True:  # take everything already queued: one write call per burst
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for line in items:
                if line is None:
                    stop = True
                    continue
                backlog += line
                backlog_count += 1
            if not backlog:
                continue
            try:
                _write_all(self._fd, backlog)
            except _PartialWrite as partial:
                del backlog[: partial.written]
                self._fail(partial.error, "write")
                continue
            except OSError as err:
                self._fail(err, "write")
                continue
            del backlog[:]
            with self._cond:
                self._written_seq += backlog_count
                if self._dirty_since is None:
                    self._dirty_since = time.monotonic()
                self._cond.notify_all()
            backlog_count = 0

    def _sync_loop(self) -> None:
        interval = self.sync_interval
        while True:
            with self._cond:
                while not self._stopping:
                    if self._synced_seq < self._sync_target <= self._written_seq:
                        break  # sync() asked, and what it waits for is written
                    if self._dirty_since is not None:
                        left = self._dirty_since + interval - time.monotonic()
                        if left <= 0:
                            break
                        self._cond.wait(left)
                    else:
                        self._cond.wait()
                stopping = self._stopping
                target = self._written_seq
                self._dirty_since = None
            synced = True
            try:
                os.fsync(self._fd)
            except OSError as err:
                if err.errno not in (errno.EINVAL, errno.ENOTSUP):  # else: this file cannot be synced at all
                    synced = False
                    self._fail(err, "sync")
            if synced:
                with self._cond:
                    self._synced_seq = max(self._synced_seq, target)
                    self._cond.notify_all()
            if stopping:
                with self._cond:
                    self._finished = True
                    self._cond.notify_all()
                return


class _PartialWrite(OSError):
    def __init__(self, written: int, error: OSError) -> None:
        super().__init__(error.errno, error.strerror)
        self.written = written
        self.error = error


def _write_all(fd: int, data: bytes | bytearray) -> None:
    """``os.write`` until all is written; ``_PartialWrite`` says how much was if it fails midway."""
    written = 0
    with memoryview(data) as view:  # released on the way out, so the caller may resize ``data``
        while written < len(view):
            try:
                with view[written:] as rest:
                    written += os.write(fd, rest)
            except OSError as err:
                if written:
                    raise _PartialWrite(written, err) from None
                raise


def _encode(record: dict[str, Any]) -> bytes:
    """One JSON line. Characters that some line readers split on (U+2028,
    U+2029, NEL) are escaped too, so every record is exactly one line anywhere."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
    return (text + "\n").encode("utf-8")


def _create_exclusive(directory: Path, stem: str) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_BINARY", 0)
    for n in range(1, 1000):
        path = directory / (f"{stem}{SUFFIX}" if n == 1 else f"{stem}-{n}{SUFFIX}")
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as err:
            raise JournalError(f"{path}: cannot create the session journal ({err.strerror or err})") from err
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                pass  # a file system without locks (NFS): recovery may offer a running session
        return path, fd
    raise JournalError(f"{directory}: too many sessions named {stem}")


def _sync_directory(directory: Path) -> None:
    """Make the new file's directory entry durable (POSIX; a no-op elsewhere)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# --------------------------------------------------------------------------- finding, recovering


def discard_session(journal: Path, audio: Path) -> None:
    """Delete a session that holds nothing (no line was transcribed): its journal,
    its audio (``audio``) and any other source's audio (``<stem>.<source>.flac``)."""
    for path in (journal, audio, *audio.parent.glob(f"{glob.escape(audio.stem)}.*{audio.suffix}")):
        path.unlink(missing_ok=True)


def in_use(path: Path) -> bool:
    """True if a running annotator holds this journal open for writing."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _last_record(path: Path) -> dict[str, Any] | None:
    """The last complete record of a journal (reads only its tail)."""
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 65536))
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


def _first_record(path: Path) -> dict[str, Any] | None:
    with path.open("rb") as f:
        line = f.readline(1024 * 1024)
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(record, dict) and record.get("type") == "header" and record.get("format") == FORMAT:
        return record
    return None


def _journals(directory: Path | None) -> list[Path]:
    directory = Path(directory) if directory is not None else paths.sessions_dir()
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.glob(f"*{SUFFIX}") if p.is_file()), reverse=True)


def find_unfinished(directory: Path | None = None) -> list[Path]:
    """Journals in ``directory`` (the sessions directory by default) that were
    never closed (no ``end`` record) and that no running annotator is writing;
    newest first. Files that are not journals are ignored."""
    found: list[Path] = []
    for path in _journals(directory):
        try:
            if _first_record(path) is None or in_use(path):
                continue
            last = _last_record(path)
        except OSError:
            continue
        if last is None or last.get("type") != "end":
            found.append(path)
    return found


def repair(path: Path) -> SessionRecord:
    """Close a journal that was never closed: drop a torn last line, append an
    ``end`` record with ``reason: "recovered"`` and sync. Returns the record as
    read afterwards, its warnings saying what was repaired. A journal that is
    already closed is returned unchanged."""
    path = Path(path)
    if in_use(path):
        raise JournalError(f"{path}: is being written by a running annotator; it cannot be repaired now")
    record = read_journal(path)
    if record.end_reason is not None:
        return record
    raw = _read_bytes(path)
    notes: list[str] = []
    keep = len(raw)
    if not raw.endswith(b"\n"):
        cut = raw.rfind(b"\n") + 1
        fragment = raw[cut:]
        try:
            complete = isinstance(json.loads(fragment.decode("utf-8")), dict)
        except (UnicodeDecodeError, ValueError):
            complete = False
        if not complete:
            keep = cut
            notes.append(f"{path}: dropped a torn last line ({len(fragment)} bytes) while repairing")
    last_seq = _last_seq(raw[:keep]) or 0
    end = {
        "type": "end",
        "seq": last_seq + 1,
        "ts": round(time.time(), 3),
        "reason": "recovered",
        "records": last_seq + 1,
    }
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.ftruncate(fd, keep)
            os.lseek(fd, 0, os.SEEK_END)
            prefix = b"" if keep == 0 or raw[:keep].endswith(b"\n") else b"\n"
            _write_all(fd, prefix + _encode(end))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        raise JournalError(f"{path}: cannot repair the session journal ({err.strerror or err})") from err
    repaired = read_journal(path)
    return dataclasses.replace(repaired, warnings=tuple(notes) + repaired.warnings)


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


def append_records(
    path: Path, records: list[tuple[str, dict[str, Any]]], *, what: str = "records", when: str = "try again"
) -> SessionRecord:
    """Append ``records`` (type, body) to a closed (or never closed) journal, then an
    ``end`` record, in one write, synced: see ``append_review``. ``what`` and
    ``when`` name the records and what to do for the error sentences."""
    path = Path(path)
    record = read_journal(path)
    if record.end_reason is None:
        record = repair(path)  # raises if a running annotator holds it
    reason = record.end_reason or "recovered"
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise JournalError(f"{path}: cannot open the session journal to add {what} ({err.strerror or err})") from err
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                raise JournalError(
                    f"{path}: is being written by a running annotator; {when} after that session has ended"
                ) from err
        raw = _read_bytes(path)
        keep = raw.rfind(b"\n") + 1  # up to the end of the last complete line
        prefix = b""
        try:
            complete = isinstance(json.loads(raw[keep:].decode("utf-8")), dict)
        except (UnicodeDecodeError, ValueError):
            complete = False
        if complete:  # a whole record that only lacks its newline stays
            keep, prefix = len(raw), b"\n"
        try:
            if keep < len(raw):
                os.ftruncate(fd, keep)  # a record cut off by an interrupted append
            last_seq = _last_seq(raw[:keep]) or 0
            seq = last_seq + 1
            now = round(time.time(), 3)
            data = b""
            for kind, body in records:
                data += _encode({"type": kind, "seq": seq, "ts": now, **body})
                seq += 1
            data += _encode({"type": "end", "seq": seq, "ts": now, "reason": reason, "records": seq})
            os.lseek(fd, 0, os.SEEK_END)
            _write_all(fd, prefix + data)
            os.fsync(fd)
        except OSError as err:
            raise JournalError(f"{path}: cannot add {what} to the session journal ({err.strerror or err})") from err
    finally:
        os.close(fd)
    return read_journal(path)


def read_header(path: Path) -> dict[str, Any] | None:
    """A journal's header record (reads only its first line); None if it is not a journal."""
    try:
        return _first_record(Path(path))
    except OSError:
        return None


@dataclass(frozen=True)
class SessionInfo:
    """One saved session, as listed for File > Open (read cheaply: header and tail)."""

    id: str
    path: Path
    created: str
    closed: bool
    audio_path: Path | None
    size: int


def list_sessions(directory: Path | None = None) -> list[SessionInfo]:
    """Saved sessions, newest first; files that are not journals are left out."""
    sessions: list[SessionInfo] = []
    for path in _journals(directory):
        try:
            header = _first_record(path)
            if header is None:
                continue
            last = _last_record(path)
            size = path.stat().st_size
        except OSError:
            continue
        audio = next((path.with_suffix(s) for s in RECORDING_SUFFIXES if path.with_suffix(s).is_file()), None)
        sessions.append(
            SessionInfo(
                id=path.stem,
                path=path,
                created=str(header.get("created", "")),
                closed=last is not None and last.get("type") == "end",
                audio_path=audio,
                size=size,
            )
        )
    return sessions


def resolve_session(ref: str, directory: Path | None = None) -> Path:
    """A session given as a path, or as an id (file stem) in the sessions
    directory; a unique prefix of an id is accepted."""
    as_path = Path(ref).expanduser()
    if as_path.is_file():
        return as_path
    directory = Path(directory) if directory is not None else paths.sessions_dir()
    if os.sep not in ref and "/" not in ref:
        exact = directory / f"{ref}{SUFFIX}"
        if exact.is_file():
            return exact
        matches = [p for p in _journals(directory) if p.stem.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(p.stem for p in matches[:5])
            raise InputError(f"session {ref!r} is ambiguous in {directory}: {names}")
    raise InputError(f"{ref}: no such file, and no session with that id in {directory}")
