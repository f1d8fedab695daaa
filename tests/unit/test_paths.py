"""User directories: each one moved by its environment variable, else the platform's place."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs
import pytest

from annotator import paths


def test_model_cache_dir_follows_annotator_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_CACHE_DIR", str(tmp_path / "cache"))
    assert paths.model_cache_dir() == tmp_path / "cache" / "models"


def test_model_cache_dir_defaults_to_the_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATOR_CACHE_DIR")
    assert paths.model_cache_dir() == Path(platformdirs.user_cache_dir("annotator")) / "models"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_CACHE_HOME is the Linux convention")
def test_model_cache_dir_honours_xdg_cache_home_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATOR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.model_cache_dir() == tmp_path / "xdg" / "annotator" / "models"


def test_write_private_text_is_whole_or_not_at_all(tmp_path: Path) -> None:
    """An export is renamed into place when complete: a failed write leaves the old file
    as it was (not truncated) and no temporary file behind; a good one is 0600."""
    out = tmp_path / "session.md"
    out.write_text("the previous export\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        paths.write_private_text(out, "half a line \ud800 never written")
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.md"]
    paths.write_private_text(out, "new\n")
    assert out.read_text(encoding="utf-8") == "new\n"
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600
