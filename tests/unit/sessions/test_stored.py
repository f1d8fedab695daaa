"""A saved session replayed: each stored analysis and mark is due once its lines have appeared (no Qt, no provider)."""

from __future__ import annotations

from annotator.models import Analysis, Chunk, Mark
from annotator.sessions.stored import StoredSession


def line(i: int) -> Chunk:
    return Chunk(i, "You", i * 5.0, i * 5.0 + 4, f"line {i}")


def test_analyses_and_marks_are_due_with_their_last_line_in_journal_order() -> None:
    first, both, third, none = (
        Analysis((1,), "", None, None, None),
        Analysis((3, 2), "", None, None, None),
        Analysis((3,), "", None, None, None),
        Analysis((), "", None, None, None),
    )
    flag, bookmark, loose = Mark(9.0, "flag", "", 2), Mark(16.0, "bookmark", "", 3), Mark(1.0, "bookmark")
    stored = StoredSession([first, both, third, none], [flag, bookmark, loose])
    assert stored.due(line(1)) == ([first, none], [loose])
    assert stored.due(line(2)) == ([], [flag])
    assert stored.due(line(2)) == ([], [])  # a line shown again changes nothing
    assert stored.due(line(3)) == ([both, third], [bookmark])
    assert stored.due(line(4)) == ([], [])
