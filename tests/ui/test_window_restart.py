"""Starting the window after a crash (issue 19): the unfinished session is offered back while the
model loads, and the window records normally whichever way the offer is answered."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.app import start_up
from annotator.config.schema import Config
from tests.helpers.events import pairs
from tests.helpers.faultserver import FaultServer, Reply, insight_json
from tests.helpers.pulse import PulseServer, pulse_server  # noqa: F401  (session fixture)
from tests.ui.test_session_controller import write_crashed_session

pytestmark = pytest.mark.live
DATA = Path(__file__).resolve().parent.parent / "data"


def open_question() -> QMessageBox | None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    return boxes[0] if boxes else None


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_after_a_crash_the_offer_waits_for_nobody_and_recording_works(  # type: ignore[no-untyped-def]
    qtbot,
    make_app,
    hub,
    sessions_dir: Path,
    pulse_server: PulseServer,  # noqa: F811
    fault_server: FaultServer,
    answer: str,
) -> None:
    crashed = write_crashed_session(sessions_dir)
    fault_server.set_default(Reply.ok(insight_json("positive", 0.4)))
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    win = app.window
    assert app.sessions.model.whisper is None  # the model really loads, as at start-up
    events: list[str] = []
    app.bridge.event.connect(pairs(lambda kind, data: events.append(kind)))
    started = []
    app.bridge.run(
        start_up(win, app.bridge, app.sessions, app.controller, hub), what="Starting up", on_result=started.append
    )

    qtbot.waitUntil(lambda: open_question() is not None, timeout=20000)
    box = open_question()
    assert box is not None and "did not close cleanly" in box.text() and crashed.name in box.text()
    # The question stays open, unanswered: start-up is over and the model loads meanwhile.
    qtbot.waitUntil(lambda: bool(started), timeout=20000)
    qtbot.waitUntil(lambda: app.sessions.model.whisper is not None and "model_ready" in events, timeout=60000)
    assert box.isVisible()
    assert not [m for m in hub.history if "failed unexpectedly" in m.text]

    button = box.button(QMessageBox.StandardButton.Yes if answer == "yes" else QMessageBox.StandardButton.No)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: open_question() is None, timeout=5000)
    if answer == "yes":
        qtbot.waitUntil(lambda: win.transcript_model.rowCount() == 2, timeout=10000)  # shown at once, as saved
        assert json.loads(crashed.read_text().splitlines()[-1])["reason"] == "recovered"
    else:
        qtbot.waitUntil(lambda: "left as they are" in hub.history[-1].text, timeout=5000)
        assert '"type": "end"' not in crashed.read_text()
    assert win.status.state.text() != "Loading transcription model…"

    win.set_devices([(pulse_server.monitor, pulse_server.monitor)])
    win.device_combo.setCurrentIndex(1)
    win.act_record.trigger()
    qtbot.waitUntil(lambda: win.status.state.text() == "● Recording", timeout=20000)
    player = threading.Thread(target=pulse_server.play, args=(DATA / "ljspeech" / "LJ001-0002.wav",))
    player.start()
    qtbot.waitUntil(lambda: win.transcript_model.rowCount() >= 1, timeout=40000)
    qtbot.waitUntil(lambda: not player.is_alive(), timeout=40000)
    qtbot.waitUntil(lambda: len(win.timeline.points) >= 1, timeout=20000)  # analysed too
    win.act_stop.trigger()
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    text = " ".join(win.transcript_model.row_at(r).chunk.text for r in range(win.transcript_model.rowCount())).lower()
    assert "comparatively modern" in text
    assert not [m for m in hub.history if "failed unexpectedly" in m.text]
