"""Screenshots of the window as a user sees it, to look at after a UI change.

Replays ``tests/data/backend-lead.txt`` at full speed through the real window,
pipeline, analyser and journal, against a loopback provider that answers each
line with a scripted insight (a sentiment per line, the interview's three
contradictions), and saves, under ``benchmarks/screenshots/``:

- ``window-1280.png`` / ``window-900.png``: the replayed interview, the first
  flag card clicked (both statements selected), at 1280x800 and 900x700;
- ``window-replaying-900.png``: mid-replay with a toolbar button hovered
  (the state must stay in view);
- ``settings-900.png``: the settings dialog with a refused Base URL.

``--readme`` also writes ``resources/screenshot.png`` (the README's picture).

    QT_QPA_PLATFORM=offscreen python benchmarks/screenshots.py [--readme]

(or under ``xvfb-run -s '-screen 0 1280x800x24'`` for the X11 platform plugin).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "screenshots"
DATA = ROOT / "tests" / "data"

# line number -> (label, score, contradictions): what the scripted provider answers for that line
SCRIPT: dict[int, tuple[str, float, tuple[tuple[str, str, str], ...]]] = {
    1: ("neutral", 0.1, ()),
    2: ("positive", 0.35, ()),
    4: ("positive", 0.3, ()),
    6: ("neutral", 0.05, ()),
    8: ("positive", 0.8, ()),
    10: ("negative", -0.7, ()),
    12: (
        "negative",
        -0.45,
        (
            (
                "When I joined the company eighteen months ago",
                "I have been leading the backend team at a logistics startup for about three years",
                "Three years leading the team does not fit joining the company eighteen months ago.",
            ),
        ),
    ),
    14: (
        "positive",
        0.3,
        (
            (
                "Last spring I migrated our whole cluster to Kubernetes",
                "I have never worked with Kubernetes",
                "Says they never worked with Kubernetes, then that they migrated a whole cluster to it.",
            ),
        ),
    ),
    16: ("positive", 0.6, ()),
    18: (
        "negative",
        -0.2,
        (
            (
                "I could not accept anything under one hundred and sixty",
                "I would be comfortable anywhere around one hundred and forty thousand",
                "A floor of 160k contradicts being comfortable around 140k.",
            ),
        ),
    ),
}


def replies() -> list:
    from tests.helpers.faultserver import Reply, insight_json

    out = []
    last = ("neutral", 0.0, ())
    for line in range(1, 21):
        label, score, contradictions = SCRIPT.get(line, (last[0], round(last[1] * 0.8, 2), ()))
        out.append(Reply.ok(insight_json(label, score, contradictions), delay_s=0.05))
        last = (label, score, ())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="also write resources/screenshot.png")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="screenshots-"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(tmp / "config")
    os.environ["ANNOTATOR_DATA_DIR"] = str(tmp / "data")
    os.environ["ANNOTATOR_LOG_DIR"] = str(tmp / "log")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QStatusTipEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from annotator import paths
    from annotator.app import build_window, compose
    from annotator.config.schema import Config
    from annotator.sessions.events import Event, ReplayProgress, SessionClosed
    from annotator.sessions.pipeline import AnalysisQueueLimits
    from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
    from annotator.ui.messages import MessageHub
    from annotator.ui.settings_dialog import SettingsDialog
    from tests.helpers.faultserver import FaultServer

    app = QApplication(sys.argv[:1])
    app.setStyleSheet(paths.resource("style.qss").read_text(encoding="utf-8"))
    loop = new_event_loop(app)
    server = FaultServer().start()
    server.script("loopback", *replies())
    hub = MessageHub()
    bridge = Bridge(hub)
    window = build_window(hub, bridge, confirm=lambda title, text: True)
    # prices as a paid provider might have, so the status bar shows a cost
    config = Config(providers=(server.provider("loopback", price_in_per_mtok=1.0, price_out_per_mtok=5.0),))
    sessions = compose(config, bridge, hub, window, limits=AnalysisQueueLimits(batch_chars=1)).sessions
    window.resize(900, 700)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def save(widget: object, name: str) -> None:
        path = OUT / name
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        saved.append(path)

    def on_event(event: Event) -> None:
        if isinstance(event, ReplayProgress) and event.done == 8:
            button = window.toolbar.widgetForAction(window.act_export)
            QApplication.sendEvent(button, QStatusTipEvent(window.act_export.statusTip()))  # as hovering it does
            save(window, "window-replaying-900.png")
            QApplication.sendEvent(button, QStatusTipEvent(""))

    bridge.event.connect(on_event)

    async def run() -> None:
        await sessions.check_keys()
        done = loop.create_future()
        bridge.event.connect(lambda e: isinstance(e, SessionClosed) and not done.done() and done.set_result(None))
        window.speed_combo.setCurrentIndex(window.speed_combo.findData(0.0))
        window.open_requested.emit(str(DATA / "backend-lead.txt"))
        await done
        await asyncio.sleep(0.3)  # the last repaints

    def settle() -> None:
        for _ in range(10):
            app.processEvents()

    def look() -> None:
        """Outside any task: pytest-qt style clicks and grabs (they spin the Qt loop)."""
        card = window.flags.cards[0]
        QTest.mouseClick(card, Qt.MouseButton.LeftButton, pos=QPoint(12, 12))
        settle()
        save(window, "window-900.png")
        window.resize(1280, 800)
        settle()
        save(window, "window-1280.png")
        if args.readme:
            window.grab().save(str(ROOT / "resources" / "screenshot.png"))
            saved.append(ROOT / "resources" / "screenshot.png")
        dialog = SettingsDialog(config, keyring_backend=None, bridge=bridge, env={}, parent=window)
        dialog.show()
        dialog.form.base_url.setText("http://192.168.1.20:11434/v1")
        settle()
        save(dialog, "settings-900.png")
        dialog.close()

    try:
        loop.run_until_complete(run())
        looked = loop.create_future()
        loop.call_soon(lambda: (look(), looked.set_result(None)))  # on the running loop, outside any task
        loop.run_until_complete(looked)
        loop.run_until_complete(sessions.shutdown())
    finally:
        server.stop()
        window.may_close = True
        window.close()
        close_event_loop(loop)
    for path in saved:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
