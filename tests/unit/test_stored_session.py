"""A saved session replayed: each stored analysis and mark shows once its lines have (no Qt, no provider)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from annotator.models import Analysis, Chunk, Mark
from annotator.runner import StoredSession


class Shown:
    """What the pipeline would pass to the window."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.out = SimpleNamespace(on_mark=self.items.append)

    def replay_analyses(self, analyses: list[Analysis]) -> None:
        self.items.extend(analyses)


def line(i: int) -> Chunk:
    return Chunk(i, "You", i * 5.0, i * 5.0 + 4, f"line {i}")


def test_analyses_and_marks_show_with_their_last_line_in_journal_order() -> None:
    first, both, third, none = (Analysis((1,), "", None, None, None), Analysis((3, 2), "", None, None, None), Analysis((3,), "", None, None, None), Analysis((), "", None, None, None))
    flag, bookmark, loose = Mark(9.0, "flag", "", 2), Mark(16.0, "bookmark", "", 3), Mark(1.0, "bookmark")
    stored = StoredSession([first, both, third, none], [flag, bookmark, loose])
    shown = Shown()
    stored.on_chunk(line(1))  # before the pipeline exists: kept until the next line
    stored.pipeline = shown  # type: ignore[assignment]
    stored.on_chunk(line(2))
    assert shown.items == [first, none, flag, loose]
    stored.on_chunk(line(2))  # a line shown again changes nothing
    stored.on_chunk(line(3))
    assert shown.items == [first, none, flag, loose, both, third, bookmark]
    stored.on_chunk(line(4))
    assert len(shown.items) == 7
