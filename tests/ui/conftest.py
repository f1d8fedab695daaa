"""Window tests: a qasync event loop on pytest-qt's QApplication, as the app runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Outcome, Sentiment
from annotator.ui.bridge import Bridge
from annotator.ui.main_window import MainWindow
from annotator.ui.messages import MessageHub


@pytest.fixture
def aio_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked running on the Qt event loop, so tasks advance
    whenever pytest-qt processes events (``qtbot.waitUntil``/``waitSignal``)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        deadline = loop.time() + 5
        while any(not t.done() for t in pending) and loop.time() < deadline:
            qapp.processEvents()
        loop.stop()
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def hub() -> MessageHub:
    return MessageHub()


@pytest.fixture
def bridge(hub: MessageHub) -> Bridge:
    return Bridge(hub)


@pytest.fixture
def window(qtbot, hub: MessageHub, bridge: Bridge) -> MainWindow:  # type: ignore[no-untyped-def]
    """The main window wired to the bridge exactly as the app wires it; quitting is always confirmed."""
    win = MainWindow(hub, confirm=lambda title, text: True)
    bridge.chunk.connect(win.on_chunk)
    bridge.analysis.connect(win.on_analysis)
    bridge.mark.connect(win.on_mark)
    bridge.event.connect(win.on_event)
    bridge.level.connect(win.on_level)
    qtbot.addWidget(win)
    win.show()
    return win


def chunk(i: int, text: str, source: str = "Candidate") -> Chunk:
    return Chunk(i, source, float(i * 5), float(i * 5 + 4), text)


def analysis_with(chunk_ids: tuple[int, ...], *, score: float = 0.4, contradictions: tuple[Contradiction, ...] = (),
                  provider: str = "loopback", model: str = "test-model") -> Analysis:
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
