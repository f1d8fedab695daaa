"""What adding one flag card costs as the flags pane fills (issue 19).

Adds 300 cards to a ``FlagsView`` (offscreen, with the app's style sheet, 480x500)
one at a time, letting Qt lay out and paint after each, and prints the median
time per card around 10, 50, 100, 200 and 300 cards.

    python benchmarks/flags_pane.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator import paths
    from annotator.ui.flag import Flag
    from annotator.ui.flags_view import FlagsView

    app = QApplication(sys.argv[:1])
    app.setStyleSheet(paths.resource("style.qss").read_text(encoding="utf-8"))
    view = FlagsView()
    view.resize(480, 500)
    view.show()
    times = []
    for n in range(1, 301):
        flag = Flag(
            f"Statement number {n}, long enough to wrap across the card's width once or twice over",
            f"The earlier statement {n}, quoted at some length as well",
            "The numbers do not match.",
            n,
            n - 1,
            n * 10.0,
            "loopback · model",
        )
        t = time.perf_counter()
        view.add_flag(flag)
        app.processEvents()
        times.append(time.perf_counter() - t)
    print("cards | median ms per new card (the 10 before)")
    for at in (10, 50, 100, 200, 300):
        print(f"{at:>5} | {statistics.median(times[at - 10 : at]) * 1000:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
