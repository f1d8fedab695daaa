"""A live session's lines: searchable at once, each chunk once."""

from __future__ import annotations

from pathlib import Path

from annotator.library import listing
from annotator.library.lines import add_chunk
from annotator.library.search import search
from annotator.models import Chunk
from tests.unit.library.helpers import open_index


def test_add_chunk_makes_a_live_line_searchable_once(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    add_chunk(index, live, Chunk(1, "You", 0.0, 2.0, "a brand new zebra line"), "2030-01-01T00:00:00+00:00")
    add_chunk(index, live, Chunk(1, "You", 0.0, 2.0, "a brand new zebra line"))
    assert len(search(index, "zebra")) == 1
    assert (
        listing.sessions(index)[0].id == live.stem
        and listing.sessions(index)[0].shown_title == "a brand new zebra line"
    )
