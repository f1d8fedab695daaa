"""The journal is a low layer: importing any of its modules pulls in neither httpx nor Qt.

Run in a fresh interpreter, so what other tests imported does not count.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import annotator.journal
names = [m.name for m in pkgutil.iter_modules(annotator.journal.__path__, "annotator.journal.")]
for name in names:
    importlib.import_module(name)
import annotator.analysis.review_model, annotator.redaction, annotator.formats.readers
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore", "PySide6", "qasync"))
print(len(names), " ".join(heavy))
"""


def test_importing_the_journal_pulls_in_neither_httpx_nor_qt() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count, _, heavy = result.stdout.strip().partition(" ")
    assert int(count) >= 6  # record, writer, reader, recovery, store, files
    assert heavy == "", f"importing annotator.journal pulled in {heavy}"
