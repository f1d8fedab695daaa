"""The index's searchable lines, and a live session's written as it goes on.

Line ids count down: the newest line has the lowest id, so a search reads
FTS5's doclists forwards (lazily) for newest-first results. Measured on 1,000
hour-long sessions, ``ORDER BY rowid DESC`` (which loads whole doclists) took
23 ms for the commonest word, ascending 1 ms. They start below ``ID_CEILING``
(small positive varints; past zero they go on negative, only larger on disk).
The next ids are read inside the write transaction, so two annotators never
collide. Lines written together (a journal read whole) take a block of ids,
the last line lowest, written in ascending id order so pages fill instead of
splitting half-empty.

``add_chunk`` and ``add_line`` make a line searchable at once; the session's
row keeps its size and mtime as they were, so the next ``refresh`` re-reads
the whole journal and settles it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from annotator.library import listing
from annotator.library.index import LibraryIndex
from annotator.library.summary import IndexedLine, SessionSummary, chunk_line, default_title
from annotator.models import Chunk

ID_CEILING = 2**28  # line ids count down from here: every id fits a 4-byte varint (268 million lines)


def add_chunk(index: LibraryIndex, journal: Path, chunk: Chunk, created: str = "") -> None:
    """A line of a session being written, searchable at once (once: the same chunk again is skipped)."""
    journal = Path(journal)
    title = default_title((chunk,))
    with index.transaction() as conn:
        key = listing.key_of(conn, journal.stem)
        if key is not None:
            conn.execute(
                "UPDATE sessions SET duration=max(duration, ?), chunks=chunks+1,"
                " default_title=CASE WHEN default_title='' THEN ? ELSE default_title END WHERE key=?",
                (chunk.end, title, key),
            )
        else:
            live = SessionSummary(
                id=journal.stem,
                path=str(journal),
                created=created,
                duration=chunk.end,
                title="",
                default_title=title,
                speakers=(),
                flags=0,
                review="",
                cost_usd=0.0,
                end_reason=None,
                chunks=1,
            )
            key = listing.insert(conn, live)
        exists = conn.execute(
            "SELECT 1 FROM lines WHERE session=? AND chunk_id=? AND kind='line'", (key, chunk.id)
        ).fetchone()
        if not exists:
            write(conn, key, [chunk_line(chunk)])


def add_line(index: LibraryIndex, journal: Path, line: IndexedLine) -> None:
    """A note or flag of a session being written, searchable at once (a line of a session the
    index does not know yet waits for the next ``refresh``)."""
    with index.transaction() as conn:
        key = listing.key_of(conn, Path(journal).stem)
        if key is not None:
            write(conn, key, [line])


def write(conn: sqlite3.Connection, key: int, lines: Sequence[IndexedLine]) -> None:
    """The session's ``lines``, in the order they were said, below every other line (see the module docstring)."""
    first = _next_id(conn) - len(lines) + 1
    conn.executemany(
        "INSERT INTO lines(id, session, kind, at, chunk_id, who, text) VALUES (?,?,?,?,?,?,?)",
        [
            (first + i, key, line.kind, line.at, line.chunk_id, line.who, line.text)
            for i, line in enumerate(reversed(lines))
        ],
    )


def _next_id(conn: sqlite3.Connection) -> int:
    lowest = conn.execute("SELECT min(id) FROM lines").fetchone()[0]
    return ID_CEILING - 1 if lowest is None else min(int(lowest), ID_CEILING) - 1
