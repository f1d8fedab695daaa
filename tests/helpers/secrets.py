"""Keys for leak tests, and the check that one appears nowhere a user or a file could see it.

``ECHOED_KEY`` is key-shaped; ``HELD_KEY`` is not (only holding it lets the
app recognise it). ``assert_no_key(texts)`` fails naming where a key was found.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ECHOED_KEY = "sk-test-Leak0123456789abcdefLeak"
HELD_KEY = "correct horse battery staple"
KEY_ENV = {"FAULT_KEY_A": ECHOED_KEY, "FAULT_KEY_B": HELD_KEY}


def assert_no_key(texts: Mapping[str, str], keys: tuple[str, ...] = (ECHOED_KEY, HELD_KEY)) -> None:
    """Fail naming every place (``texts`` key) where one of ``keys`` appears."""
    found = [f"{where}: {key!r}" for where, text in texts.items() for key in keys if key in text]
    assert not found, "key leaked in " + "; ".join(found)


def exports_of(journal: Path) -> dict[str, str]:
    """``annotator export`` of ``journal`` in all four formats (stdout, and stderr for each)."""
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONIOENCODING="utf-8")
    out: dict[str, str] = {}
    for fmt in ("md", "json", "srt", "vtt"):
        done = subprocess.run(
            [sys.executable, "-m", "annotator", "export", str(journal), "--format", fmt],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip(), f"empty {fmt} export"
        out[f"export {fmt}"] = done.stdout
        out[f"export {fmt} stderr"] = done.stderr
    return out


def files_under(directory: Path) -> dict[str, str]:
    """Every text file under ``directory`` (journals, logs), by path."""
    return {
        str(p): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.suffix in (".jsonl", ".log", ".json", ".txt", ".md")
    }
