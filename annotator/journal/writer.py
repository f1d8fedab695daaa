"""Writing a live session's journal without ever blocking the caller on the disk.

Durability: each record is handed to a writer thread and written to the file
at once (so ``kill -9`` of the process loses only records still in the queue:
microseconds' worth), and the file is fsync'd at most ``sync_interval``
seconds after a record was written, and on close (so a power cut loses at
most the last interval). The write calls never block on the disk.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from annotator import __version__, paths
from annotator.analysis.review_model import Review
from annotator.errors import JournalError
from annotator.journal.files import PartialWrite, create_exclusive, or_sessions_dir, sync_directory, write_all
from annotator.journal.record import FORMAT, FORMAT_VERSION, encode
from annotator.models import Analysis, Chunk, Mark, SpeakerName
from annotator.redaction import scrub_secrets

DEFAULT_SYNC_INTERVAL = 1.0


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
        like a credential is stripped (see ``redaction.scrub_secrets``)."""
        directory = or_sessions_dir(directory)
        now = clock()
        try:
            paths.private_dir(directory)
        except OSError as err:
            raise JournalError(f"{directory}: cannot create the sessions directory ({err.strerror or err})") from err
        stem = datetime.fromtimestamp(now).strftime("%Y-%m-%d_%H-%M-%S")
        path, fd = create_exclusive(directory, stem)
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
            write_all(fd, encode(record))
            os.fsync(fd)
            sync_directory(directory)
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

    def write_speaker(self, rename: SpeakerName) -> int:
        """The user named a speaker (``{"type": "speaker", "id", "name"}``)."""
        return self._put("speaker", rename.to_dict())

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
            self._queue.put(encode(record))
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
            self._queue.put(encode(record))
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
        with contextlib.suppress(OSError):
            os.close(self._fd)  # releases the lock too
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
            with contextlib.suppress(Exception):  # a broken callback must not stop the writer
                self._on_error(failure)

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
                write_all(self._fd, backlog)
            except PartialWrite as partial:
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
