"""The library's list of sessions: a row per journal in the index's ``sessions`` table, written
from the journal's summary and read back as summaries, newest first.

Each row also keeps the size and mtime of the journal it was read from
(``library.refresh`` compares them); a live session's row holds zeros there,
so the next refresh re-reads its journal.
"""

from __future__ import annotations

import json
import sqlite3

from annotator.library.index import LibraryIndex
from annotator.library.summary import SessionSummary


def sessions(index: LibraryIndex) -> list[SessionSummary]:
    """Every indexed session, newest first."""
    with index.guarded() as conn:
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


def remove(index: LibraryIndex, session_id: str) -> None:
    """The session and its lines leave the index (its journal is gone)."""
    with index.transaction() as conn:
        delete(conn, session_id)


def insert(conn: sqlite3.Connection, summary: SessionSummary, *, mtime_ns: int = 0, size: int = 0) -> int:
    """The session's row; its key (what its lines refer to)."""
    return int(
        conn.execute(
            "INSERT INTO sessions VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING key",
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
        ).fetchone()[0]
    )


def key_of(conn: sqlite3.Connection, session_id: str) -> int | None:
    row = conn.execute("SELECT key FROM sessions WHERE id=?", (session_id,)).fetchone()
    return None if row is None else int(row[0])


def delete(conn: sqlite3.Connection, session_id: str) -> None:
    key = key_of(conn, session_id)
    if key is not None:
        conn.execute("DELETE FROM lines WHERE session=?", (key,))
        conn.execute("DELETE FROM sessions WHERE key=?", (key,))
