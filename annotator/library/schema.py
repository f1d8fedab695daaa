"""The index's tables and their version: created in an empty file, checked in any other.

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
order (``library.lines``: pages fill instead of splitting half-empty); a
rebuild ends with a ``VACUUM`` (``library.refresh``). No FTS5 automerge: a
commit only writes its own small segment (``LibraryIndex.tidy`` merges).
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 4
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


def prepare(conn: sqlite3.Connection) -> None:
    """Create the tables in an empty database; ``OutdatedIndex`` for one of another version, and
    SQLite's own error for a file that is not a sound database."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0 and not conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
        schema = SCHEMA.format(fts_options=FTS_OPTIONS)
        conn.executescript(f"BEGIN IMMEDIATE; {schema} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
    elif version != SCHEMA_VERSION:
        raise OutdatedIndex(f"made by another version of annotator (schema {version}, not {SCHEMA_VERSION})")
    conn.execute("SELECT count(*) FROM sessions").fetchone()
