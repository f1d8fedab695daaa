"""The list of sessions: newest first, with what each journal says of its session."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.library import listing
from tests.unit.library.helpers import T0, open_index, write_session


def test_lists_sessions_newest_first_with_their_facts(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    listed = listing.sessions(index)
    assert len(listed) == 2
    newest, oldest = listed
    assert newest.created > oldest.created
    assert oldest.title == "" and oldest.shown_title == "Ada & Bob"  # the names the transcript gives
    assert newest.shown_title == "Tell me about your last role"  # only You/Them: the first line
    assert oldest.speakers == ("Ada", "Bob")
    assert oldest.flags == 1
    assert oldest.cost_usd == pytest.approx(0.0025)
    assert oldest.duration == pytest.approx(25.0)
    assert oldest.end_reason == "closed" and not oldest.unclean
    assert oldest.review == ""


def test_an_unclean_session_is_marked(tmp_path: Path) -> None:
    d = tmp_path / "sessions"
    d.mkdir()
    write_session(d, [("You", "hello there")], when=T0, close=False)
    index = open_index(tmp_path, d)
    (session,) = listing.sessions(index)
    assert session.unclean and session.end_reason is None
