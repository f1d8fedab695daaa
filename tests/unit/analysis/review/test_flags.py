"""``live_flags`` is importable without httpx (the exports and the journal use it without the runner).

Run in a fresh interpreter, so what other tests imported does not count.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from annotator.analysis.review.flags import live_flags
import annotator.analysis.review, annotator.analysis.review.parse, annotator.analysis.review.merge
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore", "PySide6", "qasync"))
print(" ".join(heavy))
"""


def test_live_flags_parse_and_merge_pull_in_neither_httpx_nor_qt() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    heavy = result.stdout.strip()
    assert heavy == "", f"importing the review's flags, parse and merge pulled in {heavy}"
