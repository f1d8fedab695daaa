"""A journal's files: names, exclusive creation, the advisory lock, whole writes.

``<sessions dir>/<YYYY-MM-DD_HH-MM-SS>[-n].jsonl`` is a session's journal;
its audio sits beside it with the same stem (``.flac``, and
``<stem>.<source>.flac`` for further sources). A running annotator holds an
exclusive ``flock`` on the journal it writes (POSIX), which is how
``in_use`` tells a live session from one that died.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from annotator import paths
from annotator.errors import JournalError

try:  # an advisory lock marks a journal that a running annotator is writing
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, a running session's file may be offered for recovery
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".jsonl"
BINARY = getattr(os, "O_BINARY", 0)


def or_sessions_dir(directory: Path | None) -> Path:
    """``directory``, or the user's sessions directory when None."""
    return Path(directory) if directory is not None else paths.sessions_dir()


def journal_files(directory: Path | None) -> list[Path]:
    """The ``*.jsonl`` files in ``directory`` (the sessions directory by default), newest name first."""
    directory = or_sessions_dir(directory)
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.glob(f"*{SUFFIX}") if p.is_file()), reverse=True)


def create_exclusive(directory: Path, stem: str) -> tuple[Path, int]:
    """Create ``<stem>.jsonl`` (or ``<stem>-2.jsonl``, ... if taken) for appending,
    private to the user, and lock it; the path and the open descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | BINARY
    for n in range(1, 1000):
        path = directory / (f"{stem}{SUFFIX}" if n == 1 else f"{stem}-{n}{SUFFIX}")
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as err:
            raise JournalError(f"{path}: cannot create the session journal ({err.strerror or err})") from err
        with contextlib.suppress(OSError):  # a file system without locks (NFS): recovery may offer a running session
            lock_exclusive(fd)
        return path, fd
    raise JournalError(f"{directory}: too many sessions named {stem}")


def lock_exclusive(fd: int) -> None:
    """Take the writer's lock on an open journal without waiting; ``OSError`` if
    a running annotator holds it (no-op where there are no locks)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


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


def sync_directory(directory: Path) -> None:
    """Make a new file's directory entry durable (POSIX; a no-op elsewhere)."""
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


class PartialWrite(OSError):
    """A write that failed after ``written`` bytes went to the file."""

    def __init__(self, written: int, error: OSError) -> None:
        super().__init__(error.errno, error.strerror)
        self.written = written
        self.error = error


def write_all(fd: int, data: bytes | bytearray) -> None:
    """``os.write`` until all is written; ``PartialWrite`` says how much was if it fails midway."""
    written = 0
    with memoryview(data) as view:  # released on the way out, so the caller may resize ``data``
        while written < len(view):
            try:
                with view[written:] as rest:
                    written += os.write(fd, rest)
            except OSError as err:
                if written:
                    raise PartialWrite(written, err) from None
                raise
