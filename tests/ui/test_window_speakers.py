"""Speakers in the window: four real voices replayed from a file get four ids; a click on the
speaker cell names one, in the journal, on every line, in the exports; a colour per speaker."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from annotator.config.schema import Config
from annotator.journal.writer import Journal
from annotator.models import Chunk
from annotator.ui.transcript_view import COL_SPEAKER
from tests.helpers.conversation import conversation
from tests.helpers.faultserver import FaultServer, Reply

from .test_window_session import events_of


def saved_session(directory: Path) -> Path:
    journal = Journal.create(directory, header={})
    journal.write_chunk(Chunk(1, "You", 0, 2, "How long have you led the team?", "S1"))
    journal.write_chunk(Chunk(2, "You", 2.5, 5, "About three years now.", "S2"))
    journal.write_chunk(Chunk(3, "You", 5.5, 7, "And before that?", "S1"))
    journal.write_chunk(Chunk(4, "You", 7.5, 9, "I joined eighteen months ago.", "S2"))
    journal.close()
    return journal.path


def test_clicking_a_speaker_names_them_everywhere(qtbot, make_app, fault_server: FaultServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from annotator.formats.readers import read_session

    fault_server.set_default(Reply.ok())
    app = make_app(Config(providers=(fault_server.provider("a"),)))
    win = app.window
    path = saved_session(tmp_path / "sessions")
    opened = events_of(app, "opened")
    win.open_requested.emit(str(path))
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    model = win.transcript_model
    assert [model.data(model.index(r, COL_SPEAKER)) for r in range(4)] == ["S1", "S2", "S1", "S2"]

    def color(row: int) -> str:
        brush = model.data(model.index(row, COL_SPEAKER), Qt.ItemDataRole.ForegroundRole)
        assert isinstance(brush, QBrush)
        return brush.color().name()

    assert color(0) == color(2) != color(1) == color(3)
    assert "click to name" in model.data(model.index(1, COL_SPEAKER), Qt.ItemDataRole.ToolTipRole)

    view = win.transcript
    rect = view.visualRect(model.index(1, COL_SPEAKER))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: win.speaker_namer.dialog is not None and win.speaker_namer.dialog.isVisible(), timeout=5000)
    dialog = win.speaker_namer.dialog
    assert dialog is not None and "S2" in dialog.labelText()
    dialog.setTextValue("Candidate")
    dialog.accept()
    qtbot.waitUntil(lambda: model.data(model.index(3, COL_SPEAKER)) == "Candidate", timeout=5000)
    assert [model.data(model.index(r, COL_SPEAKER)) for r in range(4)] == ["S1", "Candidate", "S1", "Candidate"]
    assert color(1) == color(3) != color(0)  # the colour follows the id, named or not
    qtbot.waitUntil(lambda: read_session(path).names == {"S2": "Candidate"}, timeout=5000)

    out = tmp_path / "out.json"
    app.bridge.run(app.sessions.export(path, out, "json"), what="export")
    qtbot.waitUntil(out.exists, timeout=5000)
    chunks = json.loads(out.read_text(encoding="utf-8"))["chunks"]
    assert [(c["speaker"], c.get("speaker_name")) for c in chunks] == [
        ("S1", None),
        ("S2", "Candidate"),
        ("S1", None),
        ("S2", "Candidate"),
    ]
    md = tmp_path / "out.md"
    app.bridge.run(app.sessions.export(path, md, "md"), what="export")
    qtbot.waitUntil(md.exists, timeout=5000)
    assert "Candidate:" in md.read_text(encoding="utf-8")


def test_four_voices_replayed_from_audio_are_four_speakers_in_the_window(  # type: ignore[no-untyped-def]
    qtbot, make_app, whisper_model, fault_server: FaultServer, tmp_path: Path
) -> None:
    conv = conversation(["lj", "jfk", "presenter", "hotwords"], [0, 1, 2, 3, 0, 2, 1, 3, 2, 0], seed=4)
    audio = conv.write(tmp_path / "four.wav")
    fault_server.set_default(Reply.ok())
    app = make_app(Config(providers=(fault_server.provider("a"),)))
    app.sessions.model.whisper = whisper_model
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(audio))
    qtbot.waitUntil(lambda: app.sessions.live is not None, timeout=10000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=120000)
    model = win.transcript_model
    rows = [model.row_at(r).chunk for r in range(model.rowCount())]
    assert rows and all(c.speaker for c in rows)
    voice_of: dict[str, set[str]] = {}
    for c in rows:
        voice_of.setdefault(c.speaker, set()).add(conv.voice_at(c.start, c.end))
    assert len(voice_of) == 4 and all(len(v) == 1 for v in voice_of.values()), voice_of
    journaled = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    assert {r["speaker"] for r in journaled if r["type"] == "chunk"} == set(voice_of)


def test_a_rename_shows_at_once_on_flag_cards_and_timeline_tips(qtbot, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Cards and timeline tips already shown say the new name without reopening the session."""
    from annotator.models import Analysis, Contradiction, Insight, Mark, Sentiment

    journal = Journal.create(tmp_path / "sessions", header={})
    journal.write_chunk(Chunk(1, "You", 0, 2, "How long have you led the team?", "S1"))
    journal.write_chunk(Chunk(2, "You", 2.5, 5, "About three years now.", "S2"))
    journal.write_chunk(Chunk(3, "You", 5.5, 7, "And before that?", "S1"))
    journal.write_chunk(Chunk(4, "You", 7.5, 9, "I joined eighteen months ago.", "S2"))
    said = Contradiction("I joined eighteen months ago.", "About three years now.", "Months against years.")
    journal.write_analysis(Analysis((4,), "", Insight(Sentiment("neutral", 0.0), (said,), (), "s"), "p", "m", (), 100))
    journal.write_mark(Mark(5.0, "flag", "check this", 3))
    journal.close()
    app = make_app(Config())
    win = app.window
    opened = events_of(app, "opened")
    win.open_requested.emit(str(journal.path))
    qtbot.waitUntil(lambda: bool(opened) and len(win.flags.cards) == 2, timeout=5000)
    by_line = {card.flag.chunk_id: card for card in win.flags.cards}
    assert by_line[4].title.text().endswith("· S2") and by_line[3].title.text().endswith("· S1")
    line = win.timeline.lines.nearest(8.0)
    assert line is not None and "S2" in win.timeline.hover_text(line, 0.0)

    win.speaker_named.emit("S2", "Candidate")
    qtbot.waitUntil(lambda: by_line[4].title.text().endswith("· Candidate"), timeout=5000)
    assert by_line[4].flag.speaker == "Candidate"
    assert by_line[3].title.text().endswith("· S1")  # the other speaker's card is left as it was
    line = win.timeline.lines.nearest(8.0)
    assert line is not None and "Candidate" in win.timeline.hover_text(line, 0.0)
    assert "Candidate" not in win.timeline.hover_text(win.timeline.lines.nearest(6.0), 0.0)  # type: ignore[arg-type]

    win.speaker_named.emit("S2", "")  # the name taken back: the id again
    qtbot.waitUntil(lambda: by_line[4].title.text().endswith("· S2"), timeout=5000)
