"""Journal file names: sessions started in the same second do not collide."""

from __future__ import annotations

from pathlib import Path

from annotator.journal.writer import Journal
from tests.unit.journal.helpers import fixed_clock


def test_sessions_started_in_the_same_second_get_distinct_names(tmp_path: Path) -> None:
    a = Journal.create(tmp_path, header={}, clock=fixed_clock)
    b = Journal.create(tmp_path, header={}, clock=fixed_clock)
    a.close()
    b.close()
    assert b.path.name == f"{a.path.stem}-2.jsonl"
