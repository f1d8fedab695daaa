"""The session library's index: SQLite with FTS5, derived from the journals, never the other way round.

One file, ``<user data dir>/library.sqlite3``. The journals stay the source of
truth: the index only ever reads them (``journal.reader.read_journal``), and
can be deleted at any time. ``refresh()`` brings it in line with the
sessions directory by comparing each journal's size and mtime with what was
indexed: a new or changed journal is (re)read, a deleted one dropped. A
journal that cannot be read is left out with a warning naming it.

Healing: an index file that is not a database or is malformed is moved
aside (``library.sqlite3.corrupt``), one of another schema version deleted,
and either is rebuilt from the journals. What cannot be healed becomes one ``LibraryError``
sentence: another running annotator holding the database longer than the
busy timeout, a full disk, a directory that cannot be written.

Thread use: one connection guarded by a lock; every method may be called
from any thread, but each blocks (a tenth of a millisecond for ``add_chunk``,
about a millisecond for a search, milliseconds for the listing, seconds for a
rebuild), so the window calls them off the Qt thread
(``library.feed.IndexFeed``, ``asyncio.to_thread``).

Tables: ``sessions`` (one row per journal: what the library lists, plus the
size and mtime it was indexed at), ``lines`` (every searchable line:
transcript, flags, notes, review, title; the text is stored here once) and
``lines_fts`` (an external content FTS5 table over ``lines.text``, kept in
step by triggers, holding only which words occur in which line).

Size (``benchmarks/README.md``, 1,000 hour-long sessions): FTS5 keeps no
positions (``detail=none``: the queries are words ANDed, never phrases, and
``snippet`` re-reads the line to mark the words) and no per-line token
counts (``columnsize=0``: results are ordered by line id, never ranked);
a line refers to its session by an integer key, not the 19-character name;
line ids are positive and each session's lines are written in ascending id
order (pages fill instead of splitting half-empty); a rebuild ends with a
``VACUUM``.

Writes: WAL, ``synchronous=NORMAL``, no automatic checkpoints and no FTS5
automerge: a commit only appends its line and a small FTS5 segment to the WAL
(no fsync), and ``tidy()`` merges the segments and folds the WAL back into
the file when the feed is idle and after a refresh (closing checkpoints
too), so no line's commit pays for either. A crash loses at most the last commits, which
the journals still hold: the session's row then disagrees with its journal's
size and mtime, and the next ``refresh`` re-reads it.

    index = LibraryIndex.open()           # creates, heals
    index.refresh()                       # catch up with the journals
    index.sessions()                      # newest first
    index.search("kubernetes")            # hits, newest first
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator import paths
from annotator.audio.suffixes import RECORDING_SUFFIXES
from annotator.errors import AnnotatorError, LibraryError
from annotator.journal.files import journal_files, or_sessions_dir
from annotator.journal.reader import read_journal
from annotator.library.summary import (
    IndexedLine,
    SessionSummary,
    chunk_line,
    default_title,
    indexed_lines,
    summarize,
)
from annotator.models import Chunk

log = logging.getLogger(__name__)

INDEX_NAME = "library.sqlite3"
SCHEMA_VERSION = 4
BUSY_TIMEOUT_S = 2.0
SNIPPET_TOKENS = 16
PREFIX_MIN_CHARS = 3
OPTIMIZE_AFTER = 50  # sessions indexed in one refresh (a rebuild): merge the FTS b-trees, VACUUM
CHECKPOINT_EVERY = 20  # sessions indexed in one refresh between tidy-ups (bounds the WAL during a rebuild)
MERGE_PAGES = 500  # FTS5 merge work per tidy-up (pages written)
ID_CEILING = 2**28  # line ids count down from here: every id fits a 4-byte varint (268 million lines)
VACUUM_AFTER_REBUILD = True
FTS_OPTIONS = "detail=none, columnsize=0, prefix='3'"  # measured in benchmarks/README.md

SCHEMA = """
CREATE TABLE sessions(
    key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    created TEXT NOT NULL,
    duration REAL NOT NULL,
    title TEXT NOT NULL,
    default_title TEXT NOT NULL,
    speakers TEXT NOT NULL,
    flags INTEGER NOT NULL,
    review TEXT NOT NULL,
    cost REAL NOT NULL,
    end_reason TEXT,
    chunks INTEGER NOT NULL,
    audio TEXT NOT NULL
);
CREATE INDEX sessions_created ON sessions(created);
CREATE TABLE lines(
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at REAL NOT NULL,
    chunk_id INTEGER,
    who TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX lines_session ON lines(session, chunk_id);
CREATE VIRTUAL TABLE lines_fts USING fts5(
    text, content='lines', content_rowid='id', tokenize='unicode61 remove_diacritics 2', {fts_options}
);
INSERT INTO lines_fts(lines_fts, rank) VALUES ('automerge', 0);
CREATE TRIGGER lines_ai AFTER INSERT ON lines BEGIN
    INSERT INTO lines_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER lines_ad AFTER DELETE ON lines BEGIN
    INSERT INTO lines_fts(lines_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""


class OutdatedIndex(sqlite3.DatabaseError):
    """The index file is another schema version: rebuilt, like a damaged one."""


def default_index_path() -> Path:
    return paths.data_dir() / INDEX_NAME


@dataclass(frozen=True)
class Hit:
    """One search result: a line of a session, with the session's title and the matched words
    marked in ``snippet`` by ``[`` and ``]``."""

    session_id: str
    path: str
    title: str
    created: str
    kind: str
    at: float
    who: str
    chunk_id: int | None
    text: str
    snippet: str

    def to_dict(self) -> dict[str, object]:
        return {
            "session": self.session_id,
            "path": self.path,
            "title": self.title,
            "created": self.created,
            "kind": self.kind,
            "at": round(self.at, 3),
            "who": self.who,
            "chunk_id": self.chunk_id,
            "text": self.text,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class Refreshed:
    """What ``refresh`` did: sessions (re)indexed, dropped, and warnings (journals left out, a healed index)."""

    indexed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def words_of(text: str) -> list[str]:
    """The words FTS5's ``unicode61`` tokenizer makes of ``text``: runs of letters, digits and
    private-use characters ("don't" is "don" and "t"). The index keeps no positions, so a query
    is single words only: a quoted run of two tokens would be a phrase, which it cannot answer."""
    words: list[str] = []
    word: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category[0] in "LN" or category == "Co":
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return words


def fts_query(text: str, *, prefix: bool = True) -> str:
    """The user's words as an FTS5 query: every word must appear (AND), the last one, from
    three letters on, as a prefix (so results come while typing; "a*" would expand to thousands
    of words: 190 ms at p99 on 1,000 sessions); quotes keep FTS5's operators out."""
    words = words_of(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    if prefix and len(words[-1]) >= PREFIX_MIN_CHARS:
        quoted[-1] += "*"
    return " ".join(quoted)


def audio_of(journal: Path) -> str:
    for suffix in RECORDING_SUFFIXES:
        candidate = journal.with_suffix(suffix)
        if candidate.is_file():
            return str(candidate)
    return ""


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
            if _held(err):
                raise LibraryError(_held_sentence(path)) from err
            if _full(err):
                raise LibraryError(_full_sentence(path)) from err
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
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and not conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
                schema = SCHEMA.format(fts_options=FTS_OPTIONS)
                conn.executescript(f"BEGIN IMMEDIATE; {schema} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
            elif version != SCHEMA_VERSION:
                raise OutdatedIndex(f"made by another version of annotator (schema {version}, not {SCHEMA_VERSION})")
            conn.execute("SELECT count(*) FROM sessions").fetchone()
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

    @contextlib.contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock, with SQLite's errors as sentences (a damaged index heals)."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.DatabaseError as err:
                if _held(err):
                    raise LibraryError(_held_sentence(self.path)) from err
                if _full(err):
                    raise LibraryError(_full_sentence(self.path)) from err
                if isinstance(err, sqlite3.OperationalError) and "fts5" in str(err).lower():
                    raise LibraryError(f"the search could not be run ({err})") from err
                self._heal(err)
                raise LibraryError(
                    f"{self.path}: the session library's index was damaged and is being rebuilt; try again"
                ) from err

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()  # the last connection to close folds the WAL back in

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

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside is one transaction, one commit (the feed applies what queued up
        together); the updates inside run their own statements as usual."""
        with self._guard() as conn, _transaction(conn):
            yield

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

    def take_warnings(self) -> list[str]:
        with self._lock:
            warnings, self._warnings = self._warnings, []
        return warnings

    # ------------------------------------------------------------------ keeping up with the journals

    def refresh(self) -> Refreshed:
        """(Re)index every journal that is new or changed (size, mtime) since it was indexed and
        drop the sessions whose journal is gone. Oldest first, one transaction per session, so
        another instance waits milliseconds, not the whole rebuild, and search order is newest first."""
        on_disk: dict[str, tuple[Path, int, int]] = {}
        for journal in journal_files(self.sessions_dir):
            try:
                st = journal.stat()
            except OSError:
                continue
            on_disk[journal.stem] = (journal, st.st_mtime_ns, st.st_size)
        with self._guard() as conn:
            known = {
                row[0]: (row[1], row[2], row[3])
                for row in conn.execute("SELECT id, path, mtime_ns, size FROM sessions")
            }
        dropped = [sid for sid, (path, _m, _s) in known.items() if sid not in on_disk or path != str(on_disk[sid][0])]
        for sid in dropped:
            self.remove(sid)
        stale = [
            sid
            for sid, (_path, mtime, size) in sorted(on_disk.items())
            if sid not in known or sid in dropped or known[sid][1:] != (mtime, size)
        ]
        indexed: list[str] = []
        warnings: list[str] = []
        for n, sid in enumerate(stale, start=1):
            if n % CHECKPOINT_EVERY == 0:
                self.tidy()
            journal, mtime, size = on_disk[sid]
            try:
                self.index_journal(journal, mtime_ns=mtime, size=size)
            except AnnotatorError as err:
                if isinstance(err, LibraryError):
                    raise
                warnings.append(f"{journal}: left out of the library ({err})")
                self.remove(sid)
                continue
            indexed.append(sid)
        if len(indexed) >= OPTIMIZE_AFTER:
            self._compact()
        elif stale or dropped:
            self.tidy()
        return Refreshed(
            tuple(indexed), tuple(d for d in dropped if d not in on_disk), tuple(self.take_warnings() + warnings)
        )

    def index_journal(self, journal: Path, *, mtime_ns: int | None = None, size: int | None = None) -> SessionSummary:
        """Read one journal and replace what the index holds of it (one transaction)."""
        journal = Path(journal)
        if mtime_ns is None or size is None:
            try:
                st = journal.stat()
            except OSError as err:
                raise LibraryError(f"{journal}: cannot read the session journal ({err.strerror or err})") from err
            mtime_ns, size = st.st_mtime_ns, st.st_size
        record = read_journal(journal)
        summary = summarize(record, session_id=journal.stem, path=str(journal), audio=audio_of(journal))
        lines = list(indexed_lines(record))
        with self._guard() as conn, _transaction(conn):
            self._delete(conn, summary.id)
            key = conn.execute(
                "INSERT INTO sessions VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    summary.id,
                    summary.path,
                    mtime_ns,
                    size,
                    summary.created,
                    summary.duration,
                    summary.title,
                    summary.default_title,
                    json.dumps(summary.speakers),
                    summary.flags,
                    summary.review,
                    summary.cost_usd,
                    summary.end_reason,
                    summary.chunks,
                    summary.audio,
                ),
            ).lastrowid
            # The session's ids are a block below every other line, its last line lowest (search
            # order: newest first), written in ascending id order so pages fill instead of
            # splitting half-empty (see the module docstring).
            first = _next_id(conn) - len(lines) + 1
            conn.executemany(
                "INSERT INTO lines(id, session, kind, at, chunk_id, who, text) VALUES (?,?,?,?,?,?,?)",
                [
                    (first + i, key, line.kind, line.at, line.chunk_id, line.who, line.text)
                    for i, line in enumerate(reversed(lines))
                ],
            )
        return summary

    def _compact(self) -> None:
        """After a rebuild: one FTS b-tree instead of hundreds (searches read fewer pages), the
        pages that freed returned by a ``VACUUM`` (which also packs the lines in id order), and the
        WAL folded into the file (it grew by the whole index)."""
        with self._guard() as conn:
            conn.execute("INSERT INTO lines_fts(lines_fts) VALUES ('optimize')")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if VACUUM_AFTER_REBUILD:
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def remove(self, session_id: str) -> None:
        with self._guard() as conn, _transaction(conn):
            self._delete(conn, session_id)

    @staticmethod
    def _delete(conn: sqlite3.Connection, session_id: str) -> None:
        row = conn.execute("SELECT key FROM sessions WHERE id=?", (session_id,)).fetchone()
        if row is not None:
            conn.execute("DELETE FROM lines WHERE session=?", (row[0],))
            conn.execute("DELETE FROM sessions WHERE key=?", (row[0],))

    def add_chunk(self, journal: Path, chunk: Chunk, created: str = "") -> None:
        """A line of a session being written: searchable at once (the row's size and mtime are
        left as they were, so the next ``refresh`` re-reads the whole journal and settles it)."""
        journal = Path(journal)
        sid = journal.stem
        line = chunk_line(chunk)
        with self._guard() as conn, _transaction(conn):
            key = _session_key(conn, sid)
            if key is not None:
                conn.execute(
                    "UPDATE sessions SET duration=max(duration, ?), chunks=chunks+1,"
                    " default_title=CASE WHEN default_title='' THEN ? ELSE default_title END WHERE key=?",
                    (chunk.end, _first_line_title(chunk), key),
                )
            else:
                key = conn.execute(
                    "INSERT INTO sessions VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING key",
                    (
                        sid,
                        str(journal),
                        0,
                        0,
                        created,
                        chunk.end,
                        "",
                        _first_line_title(chunk),
                        "[]",
                        0,
                        "",
                        0.0,
                        None,
                        1,
                        "",
                    ),
                ).fetchone()[0]
            exists = conn.execute(
                "SELECT 1 FROM lines WHERE session=? AND chunk_id=? AND kind='line'", (key, chunk.id)
            ).fetchone()
            if not exists:
                self._insert_line(conn, key, line)

    def add_line(self, journal: Path, line: IndexedLine) -> None:
        """A note or flag of a session being written, searchable at once (see ``add_chunk``; a
        line of a session the index does not know yet waits for the next ``refresh``)."""
        with self._guard() as conn, _transaction(conn):
            key = _session_key(conn, Path(journal).stem)
            if key is not None:
                self._insert_line(conn, key, line)

    @staticmethod
    def _insert_line(conn: sqlite3.Connection, key: int, line: IndexedLine) -> None:
        conn.execute(
            "INSERT INTO lines(id, session, kind, at, chunk_id, who, text) VALUES (?,?,?,?,?,?,?)",
            (_next_id(conn), key, line.kind, line.at, line.chunk_id, line.who, line.text),
        )

    # ------------------------------------------------------------------ reading

    def sessions(self) -> list[SessionSummary]:
        """Every indexed session, newest first."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT id, path, created, duration, title, default_title, speakers, flags, review, cost,"
                " end_reason, chunks, audio FROM sessions ORDER BY created DESC, id DESC"
            ).fetchall()
        return [
            SessionSummary(
                id=r[0],
                path=r[1],
                created=r[2],
                duration=r[3],
                title=r[4],
                default_title=r[5],
                speakers=tuple(json.loads(r[6])),
                flags=r[7],
                review=r[8],
                cost_usd=r[9],
                end_reason=r[10],
                chunks=r[11],
                audio=r[12],
            )
            for r in rows
        ]

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Lines matching every word of ``text``, newest first (see ``_next_id``). The words as
        typed are looked up first; only when they fill fewer than ``limit`` results is the last
        word also taken as a prefix: a prefix of a common word ("the*": "the", "them", "there")
        merges many long lists (40 ms on 1,000 sessions), the word alone reads a few pages."""
        exact = fts_query(text, prefix=False)
        if not exact:
            return []
        rows = self._matching(exact, limit)
        wider = fts_query(text)
        if len(rows) < limit and wider != exact:
            seen = {r[0] for r in rows}
            rows += [r for r in self._matching(wider, limit) if r[0] not in seen][: limit - len(rows)]
            rows.sort(key=lambda r: r[0])
        return [
            Hit(
                session_id=r[1],
                path=r[2],
                title=r[3] or r[4] or r[1],
                created=r[5],
                kind=r[6],
                at=r[7],
                who=r[8],
                chunk_id=r[9],
                text=r[10],
                snippet=r[11],
            )
            for r in rows
        ]

    def _matching(self, query: str, limit: int) -> list[tuple[Any, ...]]:
        with self._guard() as conn:
            return conn.execute(
                "SELECT l.id, s.id, s.path, s.title, s.default_title, s.created, l.kind, l.at, l.who,"
                " l.chunk_id, l.text, snippet(lines_fts, 0, '[', ']', '…', ?)"
                " FROM lines_fts JOIN lines l ON l.id = lines_fts.rowid JOIN sessions s ON s.key = l.session"
                " WHERE lines_fts MATCH ? ORDER BY lines_fts.rowid LIMIT ?",
                (SNIPPET_TOKENS, query, limit),
            ).fetchall()

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += Path(f"{self.path}{suffix}").stat().st_size
        return total


def _first_line_title(chunk: Chunk) -> str:
    return default_title((chunk,))


def _next_id(conn: sqlite3.Connection) -> int:
    """Line ids count down: the newest line has the lowest id, so a search reads FTS5's
    doclists forwards (lazily) for newest-first results. Measured on 1,000 hour-long sessions,
    ``ORDER BY rowid DESC`` (which loads whole doclists) took 23 ms for the commonest word,
    ascending 1 ms. They start below ``ID_CEILING`` (small positive varints; past zero they
    go on negative, only larger on disk). Read inside the write transaction, so two annotators
    never collide."""
    lowest = conn.execute("SELECT min(id) FROM lines").fetchone()[0]
    return ID_CEILING - 1 if lowest is None else min(int(lowest), ID_CEILING) - 1


def _session_key(conn: sqlite3.Connection, session_id: str) -> int | None:
    row = conn.execute("SELECT key FROM sessions WHERE id=?", (session_id,)).fetchone()
    return None if row is None else int(row[0])


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _held(err: sqlite3.DatabaseError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _full(err: sqlite3.DatabaseError) -> bool:
    return (
        "full" in str(err).lower()
        or getattr(err, "sqlite_errorcode", None) == 13
        or getattr(err, "errno", None) == errno.ENOSPC
    )


def _held_sentence(path: Path) -> str:
    return (
        f"{path}: the session library's index is held by another running annotator; "
        "the library will catch up when that one lets go (your sessions are safe)"
    )


def _full_sentence(path: Path) -> str:
    return f"{path}: the disk is full, so the session library's index cannot be updated (your sessions are safe); free some space"
