"""The session journal: one JSON Lines file per session, written as things happen.

Modules, by concept (import them directly; this package imports nothing, and
none of it imports httpx or Qt):

- ``record``: the record shape: the line format, ``SessionRecord`` (a journal
  read back), ``SessionEvent``, the format version check;
- ``writer``: ``Journal``, which appends a live session's records without
  blocking its caller, and closes it with a clean ``end`` record;
- ``reader``: ``read_journal`` (tolerant of a torn last line, naming file and
  line for everything it skips), ``read_header`` and the cheap head/tail reads;
- ``recovery``: the one way to close a journal after the fact: ``repair`` one
  that never closed, ``append_review`` / ``append_mark`` to a closed one;
- ``store``: the saved sessions: ``list_sessions``, ``resolve_session``,
  ``find_unfinished``, ``discard_session``;
- ``files``: file names, exclusive creation, the advisory lock (``in_use``),
  whole writes and directory syncs.

Secrets are stripped by ``annotator.redaction.scrub_secrets`` before anything
the caller gives is written.
"""
