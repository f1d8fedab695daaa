"""The session library's index: one SQLite file, derived from the journals, never the other way round.

One file, ``<user data dir>/library.sqlite3``. The journals stay the source of
truth: the index only ever reads them (``library.refresh``), and can be
deleted at any time. ``LibraryIndex`` is the file opened: one connection
guarded by a lock, SQLite's failures turned into sentences, transactions.
What is in it: ``library.schema``; catching up with the journals:
``library.refresh``; a live session's lines: ``library.lines``; reading it:
``library.listing`` and ``library.search``.

Healing: an index file that is not a database or is malformed is moved
aside (``library.sqlite3.corrupt``), one of another schema version deleted,
and either is rebuilt from the journals. What cannot be healed becomes one ``LibraryError``
sentence: another running annotator holding the database longer than the
busy timeout, a full disk, a directory that cannot be written.

Thread use: every function may be called from any thread, but each blocks
(a tenth of a millisecond for ``add_chunk``, about a millisecond for a
search, milliseconds for the listing, seconds for a rebuild), so the window
calls them off the Qt thread (``library.feed.IndexFeed``, ``asyncio.to_thread``).

Writes: WAL, ``synchronous=NORMAL``, no automatic checkpoints and no FTS5
automerge: a commit only appends its line and a small FTS5 segment to the WAL
(no fsync), and ``tidy()`` merges the segments and folds the WAL back into
the file when the feed is idle and after a refresh (closing checkpoints
too), so no line's commit pays for either. A crash loses at most the last commits, which
the journals still hold: the session's row then disagrees with its journal's
size and mtime, and the next ``refresh`` re-reads it.

    index = LibraryIndex.open()           # creates, heals
    refresh(index)                        # catch up with the journals (library.refresh)
    sessions(index)                       # newest first (library.listing)
    search(index, "kubernetes")           # hits, newest first (library.search)
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator import paths
from annotator.errors import LibraryError
from annotator.journal.files import or_sessions_dir
from annotator.library.schema import OutdatedIndex, prepare

log = logging.getLogger(__name__)

INDEX_NAME = "library.sqlite3"
BUSY_TIMEOUT_S = 2.0
MERGE_PAGES = 500  # FTS5 merge work per tidy-up (pages written)


def default_index_path() -> Path:
    return paths.data_dir() / INDEX_NAME


class LibraryIndex:
    """The library's SQLite index (see the module docstring). Build with ``LibraryIndex.open``."""

    def __init__(self, path: Path, sessions_dir: Path, conn: sqlite3.Connection, warnings: Sequence[str]) -> None:
        self.path = path
        self.sessions_dir = sessions_dir
        self._conn = conn
        self._lock = threading.RLock()
        self._warnings = list(warnings)

    # ------------------------------------------------------------------ opening and healing

    @classmethod
    def open(cls, path: Path | None = None, sessions_dir: Path | None = None) -> LibraryIndex:
        """Open (or create) the index; a corrupt one is moved aside, one of another schema version
        deleted, and either started afresh (``refresh`` then rebuilds it). ``LibraryError`` when it cannot be used."""
        path = Path(path) if path is not None else default_index_path()
        directory = or_sessions_dir(sessions_dir)
        warnings: list[str] = []
        try:
            paths.private_dir(path.parent)
        except OSError as err:
            raise LibraryError(
                f"{path.parent}: cannot create the directory for the session library's index ({err.strerror or err})"
            ) from err
        try:
            conn = cls._connect(path)
        except sqlite3.DatabaseError as err:
            _raise_unhealable(err, path)
            why = str(err) if isinstance(err, OutdatedIndex) else f"damaged ({err})"
            warnings.append(f"{path}: the session library's index was {why}; it is rebuilt from the journals")
            cls._move_aside(path, keep=not isinstance(err, OutdatedIndex))
            try:
                conn = cls._connect(path)
            except sqlite3.DatabaseError as again:
                raise LibraryError(f"{path}: cannot create the session library's index ({again})") from again
        return cls(path, directory, conn, warnings)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        try:
            if os.name == "posix":
                with contextlib.suppress(OSError):
                    os.chmod(path, paths.PRIVATE_FILE_MODE)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # derived data: a power cut at worst costs a rebuild
            conn.execute("PRAGMA wal_autocheckpoint=0")  # checkpoint() at idle, never inside a line's commit
            prepare(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _move_aside(path: Path, *, keep: bool = True) -> None:
        """A damaged index is kept beside (``.corrupt``: one, the latest) for a bug report; one of
        another version is only deleted (it was sound, and may be hundreds of MB)."""
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if keep:
            with contextlib.suppress(OSError):
                os.replace(path, f"{path}.corrupt")
        path.unlink(missing_ok=True)

    def _heal(self, err: sqlite3.DatabaseError) -> None:
        """The database went bad while in use: start afresh (the next ``refresh`` rebuilds)."""
        log.warning("session library index %s damaged (%s); rebuilding", self.path, err)
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._move_aside(self.path)
        try:
            self._conn = self._connect(self.path)
        except sqlite3.DatabaseError as again:
            raise LibraryError(f"{self.path}: cannot rebuild the session library's index ({again})") from again
        self._warnings.append(
            f"{self.path}: the session library's index was damaged ({err}); it was rebuilt from the journals"
        )

    # ------------------------------------------------------------------ using the connection

    @contextlib.contextmanager
    def guarded(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock, with SQLite's errors as sentences (a damaged index heals)."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.DatabaseError as err:
                _raise_unhealable(err, self.path)
                if isinstance(err, sqlite3.OperationalError) and "fts5" in str(err).lower():
                    raise LibraryError(f"the search could not be run ({err})") from err
                self._heal(err)
                raise LibraryError(
                    f"{self.path}: the session library's index was damaged and is being rebuilt; try again"
                ) from err

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Everything inside is one transaction, one commit (inside another, part of that one: the
        feed applies what queued up together, each update running its own statements as usual)."""
        with self.guarded() as conn:
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def step(self) -> Iterator[None]:
        """Inside ``transaction``: if the body raises, only its own writes are undone."""
        with self._lock:
            conn = self._conn
            conn.execute("SAVEPOINT step")
            try:
                yield
            except BaseException:
                if conn is self._conn:  # not healed (replaced) meanwhile
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK TO step")
                        conn.execute("RELEASE step")
                raise
            conn.execute("RELEASE step")

    def tidy(self) -> None:
        """The upkeep no line's commit pays for (the feed calls this when idle; a refresh after its
        work): merge FTS5's small segments (``automerge=0``: a commit only writes its own segment;
        at most ``MERGE_PAGES`` pages of merging here, and only where a level holds four or more),
        then ``checkpoint``. Never fails: what is busy or fails waits for the next time."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.execute("INSERT INTO lines_fts(lines_fts, rank) VALUES ('merge', ?)", (MERGE_PAGES,))
        self.checkpoint()

    def checkpoint(self) -> None:
        """Fold the WAL back into the file, as far as no reader holds it."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()  # the last connection to close folds the WAL back in

    def take_warnings(self) -> list[str]:
        with self._lock:
            warnings, self._warnings = self._warnings, []
        return warnings

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += Path(f"{self.path}{suffix}").stat().st_size
        return total


def _raise_unhealable(err: sqlite3.DatabaseError, path: Path) -> None:
    """What a rebuild cannot mend, as its ``LibraryError`` sentence: another annotator holding
    the database, a full disk."""
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        raise LibraryError(
            f"{path}: the session library's index is held by another running annotator; "
            "the library will catch up when that one lets go (your sessions are safe)"
        ) from err
    if "full" in text or getattr(err, "sqlite_errorcode", None) == 13 or getattr(err, "errno", None) == errno.ENOSPC:
        raise LibraryError(
            f"{path}: the disk is full, so the session library's index cannot be updated "
            "(your sessions are safe); free some space"
        ) from err
