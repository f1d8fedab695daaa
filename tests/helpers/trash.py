"""A private freedesktop trash for tests that delete sessions: never the developer's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def private_trash(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    """Point send2trash's freedesktop trash at ``root/Trash`` (it reads XDG_DATA_HOME once, on
    import, so the environment alone is not enough); the directory trashed files go to."""
    import send2trash
    import send2trash.plat_other as freedesktop

    if send2trash.send2trash is not freedesktop.send2trash:
        pytest.skip("send2trash uses GIO here; its trash cannot be redirected")
    home = os.fsencode(root)
    monkeypatch.setattr(freedesktop, "XDG_DATA_HOME", home)
    monkeypatch.setattr(freedesktop, "HOMETRASH_B", os.path.join(home, b"Trash"))
    monkeypatch.setattr(freedesktop, "HOMETRASH", os.fsdecode(os.path.join(home, b"Trash")))
    return root / "Trash" / "files"
