"""Python's garbage collection on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate when a
generation's threshold is crossed: a transcription worker, a journal writer, a
thread of ``asyncio.to_thread``. A Qt object kept alive only by a reference
cycle (a widget and a lambda connected to its own signal, say) is then
destroyed from that thread, while its timers are still registered with the GUI
thread's event dispatcher, and the next timer tick crashes the process (seen
as a segfault in ``QTimerInfoList::activateTimers``). The usual cure in PyQt
and PySide programs: turn automatic collection off while the window runs and
collect from a GUI-thread timer instead, by the same thresholds.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
"""How often the counts are checked: a young generation fills in seconds at the
most, and collecting it takes well under a millisecond."""

FULL_EVERY_S = 30.0
"""The fewest seconds between two full collections: one walks every object not
frozen (``gc.freeze`` at session start), 100 ms or more before a session, and
automatic collection also holds them back (until a quarter of the long-lived
objects are new, which Python does not expose)."""


class GuiThreadCollector(QObject):
    """While started, garbage is collected only here, on the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = True
        self._last_full = time.monotonic()
        self.collections = 0

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Back to automatic collection (as it was before ``start``), after one last pass here."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the oldest generation whose count is over its threshold, as
        automatic collection would have."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if not thresholds[generation] or counts[generation] <= thresholds[generation]:
                continue
            if generation == 2:
                if time.monotonic() - self._last_full < FULL_EVERY_S:
                    continue
                self._last_full = time.monotonic()
            gc.collect(generation)
            self.collections += 1
            return
