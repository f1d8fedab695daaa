"""Garbage is collected on the GUI thread while the window runs, never in a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from annotator.ui.collector import GuiThreadCollector


class Cyclic(QObject):
    """A Qt object kept alive only by a cycle through a Python attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.me = self


def test_cycles_are_collected_by_the_gui_thread_timer_not_by_a_worker(qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []

        def make_garbage() -> weakref.ref[Cyclic]:
            obj = Cyclic()
            weakref.finalize(obj, lambda: freed_in.append(threading.current_thread().name))
            return weakref.ref(obj)

        ref = make_garbage()
        # a worker allocating (and keeping) well past the young generation's threshold triggers no collection
        kept: list[list[object]] = []
        worker = threading.Thread(
            target=lambda: kept.extend([] for _ in range(5 * gc.get_threshold()[0])), name="worker"
        )
        worker.start()
        worker.join()
        assert ref() is not None and freed_in == []
        qtbot.waitUntil(lambda: ref() is None, timeout=5000)
        assert freed_in == [threading.main_thread().name]
        assert collector.collections >= 1
    finally:
        collector.stop()
    assert gc.isenabled()
