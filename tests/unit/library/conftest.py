"""The library tests' sessions directory: two real journals a day apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.library.helpers import DAY, T0, write_session


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    d = tmp_path / "sessions"
    d.mkdir()
    write_session(d, [("Ada", "I led the Kubernetes migration"), ("Bob", "How long did it take?")], when=T0)
    write_session(d, [("You", "Tell me about your last role"), ("Them", "I managed a team of eight")], when=T0 + DAY)
    return d
