"""Recording in the window from a (virtual) microphone: a private PulseAudio server's null-sink monitor."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.config.schema import Config
from annotator.sessions.events import PartialText
from annotator.ui.transcript_view import COL_TEXT, PARTIAL_COLOR
from tests.helpers.faultserver import FaultServer, Reply, insight_json
from tests.helpers.pulse import PulseServer, pulse_server  # noqa: F401  (session fixture)

pytestmark = pytest.mark.live
DATA = Path(__file__).resolve().parent.parent / "data"


def test_record_from_a_virtual_microphone(
    qtbot,
    make_app,
    pulse_server: PulseServer,  # noqa: F811
    fault_server: FaultServer,
    whisper_model,
) -> None:  # type: ignore[no-untyped-def]
    fault_server.set_default(Reply.ok(insight_json("positive", 0.4)))
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    app.sessions.model.whisper = whisper_model
    win = app.window
    levels: list[float] = []
    app.bridge.level.connect(lambda source, level: levels.append(level))
    win.set_devices([(pulse_server.monitor, pulse_server.monitor)])
    win.device_combo.setCurrentIndex(1)
    win.act_record.trigger()
    qtbot.waitUntil(lambda: win.status.state.text() == "● Recording", timeout=20000)
    assert not win.act_record.isEnabled() and win.act_stop.isEnabled()

    partials: list[str] = []
    app.bridge.event.connect(lambda e: partials.append(e.text) if isinstance(e, PartialText) else None)
    player = threading.Thread(target=pulse_server.play, args=(DATA / "ljspeech" / "LJ001-0004.wav",))
    player.start()
    # while the 5 s clip plays, its newest row is the grey partial text, growing
    model = win.transcript_model
    qtbot.waitUntil(lambda: model.rowCount() >= 1 and model.row_at(model.rowCount() - 1).partial, timeout=40000)
    shown = model.index(model.rowCount() - 1, COL_TEXT)
    assert shown.data(Qt.ItemDataRole.ForegroundRole).color().name() == PARTIAL_COLOR
    qtbot.waitUntil(lambda: model.rowCount() >= 1 and not model.row_at(model.rowCount() - 1).partial, timeout=40000)
    qtbot.waitUntil(lambda: not player.is_alive(), timeout=40000)
    qtbot.waitUntil(lambda: len(win.timeline.points) >= 1, timeout=20000)  # analysed: marker and timeline point
    assert max(levels) > 0.05, "the level meter moved while the clip played"

    win.act_stop.trigger()
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    text = " ".join(win.transcript_model.row_at(r).chunk.text for r in range(win.transcript_model.rowCount())).lower()
    assert "produced the block books" in text
    assert any(p.lower().startswith("produ") for p in partials), partials
    assert all(not model.row_at(r).partial for r in range(model.rowCount()))
    assert win.transcript_model.row_at(0).chunk.source == "Them"  # a monitor is system audio: the other side
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    assert records[0]["devices"] == [{"device": pulse_server.monitor, "source": "Them"}]
    assert records[-1]["type"] == "end"
    # the session heard something: the second pass over its saved audio is offered
    qtbot.waitUntil(
        lambda: any([a.label for a in m.actions] == ["Transcribe again"] for m in win.messages.history), timeout=5000
    )


def test_a_dead_microphone_says_what_to_check_and_keeps_no_session(
    qtbot,
    make_app,
    hub,
    pulse_server: PulseServer,  # noqa: F811
    whisper_model,
    sessions_dir: Path,
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=()))
    app.sessions.model.whisper = whisper_model
    win = app.window
    win.set_devices([(pulse_server.monitor, pulse_server.monitor)])
    win.device_combo.setCurrentIndex(1)
    win.act_record.trigger()
    qtbot.waitUntil(lambda: win.status.state.text() == "● Recording", timeout=20000)
    live = app.sessions.live
    qtbot.waitUntil(lambda: live.captures[0].samples_out > 16000 * 2, timeout=20000)  # two seconds of nothing
    win.act_stop.trigger()
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    said = win.message_area.text()
    assert said.startswith(f"No speech was heard from {pulse_server.monitor!r} (no sound at all)"), said
    assert "level meter" in said and "annotator devices" in said
    assert list(sessions_dir.glob("*")) == []
    assert app.sessions.session_path is None


def test_a_note_typed_while_someone_talks_marks_the_moment_ctrl_m_was_pressed(
    qtbot,
    make_app,
    pulse_server: PulseServer,  # noqa: F811
    whisper_model,
) -> None:  # type: ignore[no-untyped-def]
    from annotator.ui.note_field import NoteField

    app = make_app(Config(providers=()))
    app.sessions.model.whisper = whisper_model
    win = app.window
    chunks: list[int] = []
    app.bridge.chunk.connect(lambda c: chunks.append(c.id))
    win.set_devices([(pulse_server.monitor, pulse_server.monitor)])
    win.device_combo.setCurrentIndex(1)
    win.act_record.trigger()
    qtbot.waitUntil(lambda: win.status.state.text() == "● Recording", timeout=20000)
    pulse_server.play(DATA / "ljspeech" / "LJ001-0004.wav")
    model = win.transcript_model
    qtbot.waitUntil(lambda: bool(chunks) and not model.row_at(model.rowCount() - 1).partial, timeout=40000)

    win.act_mark.trigger()  # Ctrl+M after the first answer
    heard_then = chunks[-1]
    field = win.findChild(NoteField)
    assert isinstance(field, NoteField)
    qtbot.keyClicks(field.edit, "ask about the block books")
    player = threading.Thread(target=pulse_server.play, args=(DATA / "ljspeech" / "LJ001-0008.wav",))
    player.start()  # the talk goes on while the note is typed
    qtbot.waitUntil(lambda: chunks[-1] > heard_then and not player.is_alive(), timeout=40000)
    with qtbot.waitSignal(app.bridge.mark, timeout=10000) as got:
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    mark = got.args[0]
    assert (mark.note, mark.chunk_id) == ("ask about the block books", heard_then)
    assert mark.at == model.chunks()[heard_then].end  # where that line ends, not where the talk got to

    win.act_stop.trigger()
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    marks = [r for r in records if r["type"] == "mark"]
    assert [(m["note"], m["chunk_id"]) for m in marks] == [("ask about the block books", heard_then)]
