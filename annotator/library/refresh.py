"""Bringing the index in line with the sessions directory: each journal's size and mtime against
what was indexed; a new or changed journal (re)read, a deleted one dropped.

A journal that cannot be read is left out with a warning naming it. The
index only ever reads the journals (``journal.reader.read_journal``). Oldest
first, one transaction per session, so another instance waits milliseconds,
not the whole rebuild, and search order is newest first. A rebuild (many
sessions at once) ends compacted: one FTS b-tree, a ``VACUUM``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.audio.suffixes import RECORDING_SUFFIXES
from annotator.errors import AnnotatorError, LibraryError
from annotator.journal.files import journal_files
from annotator.journal.reader import read_journal
from annotator.library import lines, listing
from annotator.library.index import LibraryIndex
from annotator.library.summary import SessionSummary, indexed_lines, summarize

OPTIMIZE_AFTER = 50  # sessions indexed in one refresh (a rebuild): merge the FTS b-trees, VACUUM
CHECKPOINT_EVERY = 20  # sessions indexed in one refresh between tidy-ups (bounds the WAL during a rebuild)
VACUUM_AFTER_REBUILD = True


@dataclass(frozen=True)
class Refreshed:
    """What ``refresh`` did: sessions (re)indexed, dropped, and warnings (journals left out, a healed index)."""

    indexed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def refresh(index: LibraryIndex) -> Refreshed:
    """(Re)index every journal that is new or changed (size, mtime) since it was indexed and
    drop the sessions whose journal is gone (see the module docstring)."""
    on_disk: dict[str, tuple[Path, int, int]] = {}
    for journal in journal_files(index.sessions_dir):
        try:
            st = journal.stat()
        except OSError:
            continue
        on_disk[journal.stem] = (journal, st.st_mtime_ns, st.st_size)
    with index.guarded() as conn:
        known = {
            row[0]: (row[1], row[2], row[3]) for row in conn.execute("SELECT id, path, mtime_ns, size FROM sessions")
        }
    dropped = [sid for sid, (path, _m, _s) in known.items() if sid not in on_disk or path != str(on_disk[sid][0])]
    for sid in dropped:
        listing.remove(index, sid)
    stale = [
        sid
        for sid, (_path, mtime, size) in sorted(on_disk.items())
        if sid not in known or sid in dropped or known[sid][1:] != (mtime, size)
    ]
    indexed: list[str] = []
    warnings: list[str] = []
    for n, sid in enumerate(stale, start=1):
        if n % CHECKPOINT_EVERY == 0:
            index.tidy()
        journal, mtime, size = on_disk[sid]
        try:
            index_journal(index, journal, mtime_ns=mtime, size=size)
        except AnnotatorError as err:
            if isinstance(err, LibraryError):
                raise
            warnings.append(f"{journal}: left out of the library ({err})")
            listing.remove(index, sid)
            continue
        indexed.append(sid)
    if len(indexed) >= OPTIMIZE_AFTER:
        _compact(index)
    elif stale or dropped:
        index.tidy()
    return Refreshed(
        tuple(indexed), tuple(d for d in dropped if d not in on_disk), tuple(index.take_warnings() + warnings)
    )


def index_journal(
    index: LibraryIndex, journal: Path, *, mtime_ns: int | None = None, size: int | None = None
) -> SessionSummary:
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
    said = list(indexed_lines(record))
    with index.transaction() as conn:
        listing.delete(conn, summary.id)
        key = listing.insert(conn, summary, mtime_ns=mtime_ns, size=size)
        lines.write(conn, key, said)
    return summary


def audio_of(journal: Path) -> str:
    for suffix in RECORDING_SUFFIXES:
        candidate = journal.with_suffix(suffix)
        if candidate.is_file():
            return str(candidate)
    return ""


def _compact(index: LibraryIndex) -> None:
    """After a rebuild: one FTS b-tree instead of hundreds (searches read fewer pages), the
    pages that freed returned by a ``VACUUM`` (which also packs the lines in id order), and the
    WAL folded into the file (it grew by the whole index)."""
    with index.guarded() as conn:
        conn.execute("INSERT INTO lines_fts(lines_fts) VALUES ('optimize')")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if VACUUM_AFTER_REBUILD:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
