"""Window tests: a qasync event loop on pytest-qt's QApplication, as the app runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from annotator.app import App, build_window, compose
from annotator.config.schema import Config
from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Outcome, Sentiment
from annotator.sessions.pipeline import AnalysisQueueLimits
from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
from annotator.ui.collector import GuiThreadCollector
from annotator.ui.main_window import MainWindow
from annotator.ui.messages import MessageHub
from tests.helpers.faultserver import fault_server  # noqa: F401  (fixture)
from tests.helpers.whisper import whisper_model  # noqa: F401  (session fixture)


@pytest.fixture
def aio_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked running on the Qt event loop, so tasks advance
    whenever pytest-qt processes events (``qtbot.waitUntil``/``waitSignal``)."""
    loop = new_event_loop(qapp, already_running=True)
    collector = GuiThreadCollector()  # as the app runs: garbage is collected on the GUI thread only
    collector.start()
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        done = asyncio.ensure_future(loop.shutdown_asyncgens(), loop=loop)
        deadline = loop.time() + 5
        while (not done.done() or any(not t.done() for t in pending)) and loop.time() < deadline:
            qapp.processEvents()
        close_event_loop(loop)
        # The test's Qt objects that only cycles keep (the loop's timers, the controller) are
        # destroyed now, on the GUI thread: a collection run later from a worker thread would
        # destroy them there, leaving their timers registered (a segfault in a later test).
        collector.stop()  # collects, then automatic collection is back for the next test


@pytest.fixture(autouse=True)
def _no_os_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key lookups in window tests see no OS keyring (and never the developer's)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for var in ("CEREBRAS_API_KEY", "NVIDIA_API_KEY", "MOONSHOT_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def hub() -> MessageHub:
    return MessageHub()


@pytest.fixture
def bridge(hub: MessageHub) -> Bridge:
    return Bridge(hub)


@pytest.fixture
def window(qtbot, hub: MessageHub, bridge: Bridge) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """The main window wired to the bridge exactly as the app wires it; quitting is always confirmed."""
    win = build_window(hub, bridge, confirm=lambda title, text: True)
    win.show()
    yield win
    # No task's callback may outlive the window (a recent-sessions listing finishing in its
    # thread would fill a deleted menu): cancel them and let their (silent) callbacks run.
    bridge.cancel_all()
    qtbot.waitUntil(lambda: bridge.pending() == 0, timeout=10000)
    # Destroy the window now: one left for interpreter shutdown takes PySide down with it.
    win.may_close = True
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def chunk(i: int, text: str, source: str = "Candidate") -> Chunk:
    return Chunk(i, source, float(i * 5), float(i * 5 + 3), text)  # 2 s apart: each its own line


def analysis_with(
    chunk_ids: tuple[int, ...],
    *,
    score: float = 0.4,
    contradictions: tuple[Contradiction, ...] = (),
    provider: str = "loopback",
    model: str = "test-model",
) -> Analysis:
    label = "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"
    return Analysis(
        chunk_ids=chunk_ids,
        text="",
        insight=Insight(Sentiment(label, score), contradictions, (), "summary"),
        provider=provider,
        model=model,
        attempts=(Attempt(provider, model, Outcome.OK, 200, 420, 300, 60, 0.00012),),
        elapsed_ms=420,
    )


@pytest.fixture
def sessions_dir(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "sessions"


ONE_REQUEST_PER_CHUNK = AnalysisQueueLimits(batch_chars=1)
"""Batching that makes request n carry chunk n, so scripted replies line up with lines."""


@pytest.fixture
def make_app(qtbot, aio_loop, hub: MessageHub, bridge: Bridge, window: MainWindow, sessions_dir: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """Builds the app with app.py's ``compose`` around the test window."""
    made: list[App] = []

    def make(config: Config, limits: AnalysisQueueLimits = ONE_REQUEST_PER_CHUNK, stop_timeout_s: float = 30.0) -> App:
        app = compose(
            config, bridge, hub, window, sessions_dir=sessions_dir, limits=limits, stop_timeout_s=stop_timeout_s
        )
        made.append(app)
        return app

    yield make
    for app in made:
        if app.sessions.active:
            app.bridge.run(app.sessions.stop(), what="test teardown")
            qtbot.waitUntil(lambda app=app: not app.sessions.active, timeout=20000)


def show_saved(qtbot, app: App, window: MainWindow, path: Path, lines: int) -> None:  # type: ignore[no-untyped-def]
    """Open the saved session at ``path`` as File > Open does; wait until its ``lines`` lines show
    and the session has settled (nothing runs)."""
    app.controller.open(str(path))
    qtbot.waitUntil(lambda: window.transcript_model.rowCount() == lines, timeout=10000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=10000)
