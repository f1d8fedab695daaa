"""Screenshots of the window as a user sees it, to look at after a UI change.

Replays ``tests/data/backend-lead.txt`` at full speed through the real window,
pipeline, analyser and journal, against a loopback provider that answers each
line with a scripted insight (a sentiment per line, the interview's three
contradictions), and saves, under ``benchmarks/screenshots/``:

- ``window-1280.png`` / ``window-900.png``: the replayed interview, the first
  flag card clicked (both statements selected), at 1280x800 and 900x700;
- ``window-replaying-900.png``: mid-replay with a toolbar button hovered
  (the state must stay in view);
- ``settings-900.png``: the settings dialog with a refused Base URL;
- ``library-900.png``: the start page, the library, with a few sessions written
  to the temporary data directory (one that did not close cleanly);
- ``speakers-900.png``: a saved session with two named speakers, each in its
  colour, a flag card saying who;
- ``partial-900.png``: the same with a grey partial row at the bottom (someone
  still talking).

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


LIBRARY = (  # (hours before now, lines (speaker, text), closed cleanly)
    (2, (("Ada", "I led the Kubernetes migration last spring"), ("Bob", "How long did it take?")), True),
    (26, (("Chen", "I moved from support to engineering"), ("You", "What made you switch?")), True),
    (50, (("You", "Tell me about your last role"),), False),
    (170, (("Dana", "We cut the cloud bill by a third"), ("You", "Which services did you drop?")), True),
)

TALK = (  # a saved session with two voices: (speaker id, start, end, text)
    ("S1", 0.0, 4.0, "Thanks for joining. How long have you led the backend team?"),
    ("S2", 4.6, 9.5, "About three years now, since we split the platform group."),
    ("S1", 10.0, 13.0, "And what did you work on before that?"),
    ("S2", 13.6, 19.0, "I joined the company eighteen months ago, from a consultancy."),
    ("S1", 19.8, 23.0, "Which parts of the stack do you know best?"),
    ("S2", 23.5, 29.0, "Mostly Go services, Postgres and the Kubernetes cluster."),
)


def write_library(directory: Path) -> None:
    """The library page's sessions: real journals, as the tests write them."""
    import time

    from tests.unit.library.helpers import write_session

    directory.mkdir(parents=True, exist_ok=True)
    for hours, lines, closed in LIBRARY:
        write_session(directory, list(lines), when=time.time() - hours * 3600, close=closed)


def write_talk(directory: Path) -> Path:
    """A saved session with speakers S1 and S2, named, and a contradiction on S2's line."""
    from annotator.journal.writer import Journal
    from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment, SpeakerName

    journal = Journal.create(directory, header={"model": "tiny.en", "vocabulary": ["Kubernetes", "Postgres"]})
    for i, (speaker, start, end, text) in enumerate(TALK, start=1):
        journal.write_chunk(Chunk(i, "You", start, end, text, speaker))
        label, score = ("negative", -0.4) if i == 4 else ("neutral", 0.1) if speaker == "S1" else ("positive", 0.4)
        said = (
            (Contradiction(TALK[3][3], TALK[1][3], "Three years leading the team, yet joined eighteen months ago."),)
            if i == 4
            else ()
        )
        journal.write_analysis(Analysis((i,), text, Insight(Sentiment(label, score), said, (), ""), "loopback", "m"))
    journal.write_speaker(SpeakerName("S1", "Interviewer"))
    journal.write_speaker(SpeakerName("S2", "Candidate"))
    journal.close()
    return journal.path


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
    from annotator.library.feed import IndexFeed
    from annotator.library.index import LibraryIndex
    from annotator.sessions.events import Event, Opened, PartialText, ReplayProgress, SessionClosed
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
    write_library(paths.sessions_dir())
    library = IndexFeed(LibraryIndex.open)
    composed = compose(config, bridge, hub, window, limits=AnalysisQueueLimits(batch_chars=1), library=library)
    sessions, shelf = composed.sessions, composed.library
    assert shelf is not None
    shelf.show_library()  # the start page, as the app opens
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
        for _ in range(200):  # the index lists the sessions in its own thread
            if shelf.view.model.rowCount() >= len(LIBRARY):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        save(window, "library-900.png")
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
        window.resize(900, 700)

    async def talk() -> None:
        opened = loop.create_future()
        bridge.event.connect(lambda e: isinstance(e, Opened) and not opened.done() and opened.set_result(None))
        window.open_requested.emit(str(write_talk(tmp / "talk")))
        await opened
        await asyncio.sleep(0.3)

    def look_at_talk() -> None:
        settle()
        save(window, "speakers-900.png")
        bridge.on_event(PartialText("You", 29.6, "And before the consultancy I spent two years at", "S2"))
        window.transcript.scroll_to_newest()
        settle()
        save(window, "partial-900.png")

    try:
        loop.run_until_complete(run())
        looked = loop.create_future()
        loop.call_soon(lambda: (look(), looked.set_result(None)))  # on the running loop, outside any task
        loop.run_until_complete(looked)
        loop.run_until_complete(talk())
        looked = loop.create_future()
        loop.call_soon(lambda: (look_at_talk(), looked.set_result(None)))
        loop.run_until_complete(looked)
        loop.run_until_complete(sessions.shutdown())
    finally:
        library.close()
        server.stop()
        window.may_close = True
        window.close()
        close_event_loop(loop)
    for path in saved:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
