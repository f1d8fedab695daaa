"""The whole window: replay through the real pipeline, analyser and journal against a loopback provider."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer

from annotator.config.schema import AnalysisConfig, Config
from annotator.ui.note_field import NoteField
from annotator.ui.transcript_view import COL_MOOD
from tests.helpers.events import pairs
from tests.helpers.faultserver import FaultServer, Reply, insight_json

DATA = Path(__file__).resolve().parent.parent / "data"


def replies_for_interview() -> list[Reply]:
    """One reply per line of backend-lead.txt: two planted contradictions, one negative line."""
    replies = []
    for line_no in range(1, 21):
        contradictions: list[tuple[str, str, str]] = []
        label, score = "neutral", 0.1
        if line_no == 12:
            contradictions = [
                (
                    "When I joined the company eighteen months ago",
                    "I have been leading the backend team at a logistics startup for about three years",
                    "Three years leading the team does not fit joining eighteen months ago.",
                )
            ]
            label, score = "negative", -0.4
        if line_no == 14:
            contradictions = [
                (
                    "Last spring I migrated our whole cluster to Kubernetes",
                    "I have never worked with Kubernetes",
                    "Claims never to have used Kubernetes, then to have migrated a cluster to it.",
                )
            ]
        if line_no == 10:
            label, score = "negative", -0.7
        replies.append(Reply.ok(insight_json(label, score, contradictions)))
    return replies


def test_replay_interview_shows_lines_flags_and_markers(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("fast", *replies_for_interview())
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))  # as fast as possible
    win.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: win.active, timeout=5000)
    qtbot.waitUntil(lambda: not win.active, timeout=30000)  # replay ended, analyses finished, journal closed

    model = win.transcript_model
    assert model.rowCount() == 20
    assert [model.data(model.index(r, COL_MOOD)) for r in range(20)].count("…") == 0  # every line has a marker
    assert model.data(model.index(9, COL_MOOD)) == "\u22120.70"
    assert len(win.flags.cards) == 2, [(c.flag.chunk_id, c.flag.statement) for c in win.flags.cards]
    eighteen = win.flags.cards[0].flag
    assert (eighteen.chunk_id, eighteen.earlier_chunk_id) == (12, 2)
    assert win.status.answer.text().startswith("Last answer: fast · fault-model · ")
    assert "fast" in win.status.providers.dots

    qtbot.mouseClick(win.flags.cards[1], Qt.MouseButton.LeftButton, pos=QPoint(12, 12))
    assert win.transcript.selected_chunk_ids() == [6, 14]

    journal = app.sessions.session_path
    assert journal is not None and journal.parent == sessions_dir
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sum(r["type"] == "chunk" for r in records) == 20
    assert sum(r["type"] == "analysis" for r in records) == 20
    assert records[-1]["type"] == "end"


def test_replay_at_max_speed_makes_one_request_per_line_like_analyze(
    qtbot, make_app, fault_server: FaultServer
) -> None:  # type: ignore[no-untyped-def]
    """Live batching (chunks arriving during a request merge into the next) must not
    apply to a replay: at max every line arrives before the first answer."""
    from annotator.sessions.pipeline import AnalysisQueueLimits

    fault_server.script("fast", *replies_for_interview())
    app = make_app(Config(providers=(fault_server.provider("fast"),)), limits=AnalysisQueueLimits())  # the app's own
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: win.active, timeout=5000)
    qtbot.waitUntil(lambda: not win.active, timeout=30000)

    assert len(fault_server.requests_for("fast")) == 20
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    assert [r["chunk_ids"] for r in records if r["type"] == "analysis"] == [[i] for i in range(1, 21)]
    assert len(win.flags.cards) == 2  # the Kubernetes contradiction (line 14) is caught
    model = win.transcript_model
    moods = [model.data(model.index(r, COL_MOOD)) for r in range(20)]
    assert moods[9] == "\u22120.70" and moods[11] == "⚑ \u22120.40" and moods[0] == "+0.10"  # each line its own


def test_a_replay_at_max_ends_when_every_line_is_analysed(qtbot, make_app, hub, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    """The end of the file is not a Stop: the lines still waiting for their request are all sent."""
    from tests.helpers.faultserver import with_delay

    fault_server.set_default(with_delay(Reply.ok(insight_json("neutral", 0.1)), 0.15), provider="slow")
    app = make_app(Config(providers=(fault_server.provider("slow"),)), stop_timeout_s=0.3)
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: win.active, timeout=5000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    assert sum(r["type"] == "analysis" for r in records) == 20
    assert not any("pending analysis" in m.text for m in hub.history)


def test_an_audio_file_replayed_at_max_leaves_no_line_unanalysed(
    qtbot, make_app, whisper_model, fault_server: FaultServer
) -> None:  # type: ignore[no-untyped-def]
    """Transcribed faster than answered, and not to be held back: every line waits its turn."""
    from annotator.sessions.pipeline import AnalysisQueueLimits
    from tests.helpers.faultserver import with_delay

    fault_server.set_default(with_delay(Reply.ok(insight_json("neutral", 0.1)), 3.0), provider="slow")
    app = make_app(Config(providers=(fault_server.provider("slow"),)), limits=AnalysisQueueLimits(max_waiting=1))
    app.sessions.model.whisper = whisper_model
    backlog = []
    app.bridge.event.connect(
        pairs(lambda kind, data: backlog.append(data) if kind == "backlog" and data.get("left_unanalysed") else None)
    )
    app.window.speed_combo.setCurrentIndex(app.window.speed_combo.findData(0.0))
    app.window.open_requested.emit(str(DATA / "realtimestt" / "asr-reference.wav"))
    qtbot.waitUntil(lambda: app.sessions.live is not None, timeout=10000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=120000)
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    chunks = [r["id"] for r in records if r["type"] == "chunk"]
    analysed = [r["chunk_ids"] for r in records if r["type"] == "analysis"]
    assert len(chunks) >= 3 and not backlog, (chunks, backlog)
    assert analysed == [[cid] for cid in chunks]  # one request per line, none left out


def test_hanging_provider_does_not_freeze_the_window(
    qtbot, make_app, fault_server: FaultServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    hanging = fault_server.provider("hangs", first_token_timeout_s=1.5)
    fault_server.script("hangs", Reply.hang())
    fault_server.set_default(Reply.ok(insight_json("positive", 0.5)), provider="backup")
    app = make_app(Config(analysis=AnalysisConfig(deadline_s=20), providers=(hanging, fault_server.provider("backup"))))
    transcript = tmp_path / "short.txt"
    transcript.write_text("Candidate: I really enjoyed building that team.\n", encoding="utf-8")

    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(app.window)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    analyses = []
    app.bridge.analysis.connect(analyses.append)
    app.window.speed_combo.setCurrentIndex(app.window.speed_combo.findData(0.0))
    app.window.open_requested.emit(str(transcript))
    qtbot.waitUntil(lambda: bool(analyses), timeout=20000)
    timer.stop()

    assert fault_server.requests_for("hangs"), "the hanging provider was tried first"
    [analysis] = analyses
    assert analysis.provider == "backup"
    assert [a.provider for a in analysis.attempts] == ["hangs", "backup"]
    assert analysis.attempts[0].outcome.value == "timeout"
    assert "backup" in app.window.status.answer.text()
    hang_s = analysis.attempts[0].elapsed_ms / 1000
    assert hang_s >= 1.0  # the window was measured across a real hang
    assert len(gaps) > hang_s / 0.05  # the timer kept firing all along
    assert max(gaps) < 0.5, f"event loop stalled {max(gaps) * 1000:.0f} ms during the hang"
    qtbot.waitUntil(lambda: not app.window.active, timeout=10000)


def test_stop_flushes_the_last_utterance_to_the_journal(
    qtbot, make_app, whisper_model, fault_server: FaultServer
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    app.sessions.model.whisper = whisper_model
    chunks = []
    app.bridge.chunk.connect(chunks.append)
    app.window.open_requested.emit(str(DATA / "jfk.flac"))  # an audio file plays through capture like a microphone
    qtbot.waitUntil(lambda: app.sessions.live is not None, timeout=10000)
    live = app.sessions.live
    # stop while the speaker is mid-sentence: nothing has ended in silence yet
    qtbot.waitUntil(lambda: live.captures[0].samples_out > 16000 * 2.5 and live.segmenters[""].in_speech, timeout=20000)
    assert not chunks
    app.window.act_stop.trigger()
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    assert chunks, "the utterance in progress at Stop was transcribed"
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    texts = [r["text"] for r in records if r["type"] == "chunk"]
    assert texts and "americans" in " ".join(texts).lower()
    assert records[-1]["type"] == "end"


def record_interview(qtbot, app) -> Path:  # type: ignore[no-untyped-def]
    """Replay backend-lead.txt at max through the loopback provider, with a bookmark: its journal."""
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: win.transcript_model.rowCount() >= 3, timeout=10000)
    win.act_mark.trigger()  # a bookmark while it runs: Ctrl+M opens the note field, Esc leaves a bare mark
    qtbot.keyClick(win.findChild(NoteField).edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not app.sessions.active and not win.active, timeout=30000)
    return app.sessions.session_path


def events_of(app, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    seen: list[dict] = []
    app.bridge.event.connect(pairs(lambda k, data: seen.append(data) if k == kind else None))
    return seen


def test_opening_a_saved_session_shows_it_at_once_with_review_enabled(
    qtbot, make_app, fault_server: FaultServer
) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("fast", *replies_for_interview())
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    win = app.window
    journal = record_interview(qtbot, app)
    calls = len(fault_server.requests)
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(1.0))  # real time: a replay would take a minute
    opened, started, closed = (
        events_of(app, "opened"),
        events_of(app, "replay_started"),
        events_of(app, "session_closed"),
    )

    win.open_requested.emit(str(journal))
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert not started and not win.active and not app.sessions.active  # not replayed
    assert win.transcript_model.rowCount() == 20
    model = win.transcript_model
    assert model.data(model.index(9, COL_MOOD)) == "\u22120.70"  # the stored analyses, as recorded
    assert [(c.flag.chunk_id, c.flag.earlier_chunk_id) for c in win.flags.cards] == [(12, 2), (14, 6)]
    assert len(win.timeline.marks) == 1 and len(win.timeline.points) == 20
    assert win.act_review.isEnabled() and win.act_replay.isEnabled()
    assert win.status.state.text() == "Saved session: 20 lines, 2 flags"
    assert len(fault_server.requests) == calls  # shown as recorded, not analysed again
    assert app.sessions.session_path == journal and win.session_path == journal
    assert not closed  # nothing changed: no "session saved"


def test_replay_is_an_explicit_action_and_saves_nothing_new(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("fast", *replies_for_interview())
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    win = app.window
    journal = record_interview(qtbot, app)
    before = journal.read_bytes()
    calls = len(fault_server.requests)
    started, closed = events_of(app, "replay_started"), events_of(app, "session_closed")

    win.replay_requested.emit(str(journal))
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    qtbot.waitUntil(lambda: not app.sessions.active and not win.active, timeout=30000)
    assert win.transcript_model.rowCount() == 20
    assert [(c.flag.chunk_id, c.flag.earlier_chunk_id) for c in win.flags.cards] == [(12, 2), (14, 6)]
    assert len(win.timeline.marks) == 1
    assert len(fault_server.requests) == calls
    assert journal.read_bytes() == before and not closed  # the journal did not change: no "session saved"


def test_marks_and_flags_on_an_opened_session_are_journaled_and_exported(
    qtbot, make_app, fault_server: FaultServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from annotator.formats.readers import read_session

    fault_server.script("fast", *replies_for_interview())
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    win = app.window
    journal = record_interview(qtbot, app)
    opened = events_of(app, "opened")
    win.open_requested.emit(str(journal))
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=5000)

    win.transcript.select_chunks([5])
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # flag the selected line
    qtbot.waitUntil(lambda: len(win.flags.cards) == 3, timeout=5000)
    win.transcript.clearSelection()
    qtbot.keyClick(win, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # bookmark (the last line), with a note
    qtbot.waitUntil(lambda: win.findChild(NoteField) is not None, timeout=5000)
    qtbot.keyClicks(win.findChild(NoteField).edit, "ask about the gap")
    qtbot.keyClick(win.findChild(NoteField).edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(win.timeline.marks) == 2, timeout=5000)

    record = read_session(journal)
    # the first is the bookmark made while recording (on whichever line had arrived)
    assert [(m.kind, m.chunk_id) for m in record.marks][1:] == [("flag", 5), ("bookmark", 20)]
    assert record.end_reason == "closed" and not record.warnings  # still a closed journal, read without complaint
    manual = next(c.flag for c in win.flags.cards if c.flag.manual)
    assert manual.chunk_id == 5
    for fmt in ("md", "json", "vtt"):
        out = tmp_path / f"out.{fmt}"
        app.bridge.run(app.sessions.export(journal, out, fmt), what="export")
        qtbot.waitUntil(out.exists, timeout=5000)
    md = (tmp_path / "out.md").read_text(encoding="utf-8")
    line5 = record.chunks[4].text
    assert "**Bookmark**: ask about the gap" in md  # the note goes to the export
    assert md.count("**Flag**") == 1 and md.count("**Bookmark**") == 2 and line5[:30] in md.split("## Marks")[1]
    vtt = (tmp_path / "out.vtt").read_text(encoding="utf-8")
    assert vtt.count("NOTE Flag at") == 1 and vtt.count("NOTE Bookmark at") == 2  # SRT carries the transcript alone
    marks = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["marks"]
    assert [(m["kind"], m["chunk_id"]) for m in marks] == [(m.kind, m.chunk_id) for m in record.marks]

    # opened again, the marks are there
    opened.clear()
    win.open_requested.emit(str(journal))
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert len(win.timeline.marks) == 2 and sum(c.flag.manual for c in win.flags.cards) == 1


def test_marks_made_while_replaying_a_saved_session_are_journaled(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    from annotator.formats.readers import read_session

    fault_server.script("fast", *replies_for_interview())
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    win = app.window
    journal = record_interview(qtbot, app)
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(4.0))
    win.replay_requested.emit(str(journal))
    qtbot.waitUntil(lambda: win.transcript_model.rowCount() >= 2, timeout=10000)
    win.act_flag.trigger()
    app.window.act_stop.trigger()
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=20000)
    qtbot.waitUntil(lambda: len(read_session(journal).marks) == 2, timeout=5000)
    assert [m.kind for m in read_session(journal).marks] == ["bookmark", "flag"]


def test_a_repeated_contradiction_makes_one_card(window, bridge) -> None:  # type: ignore[no-untyped-def]
    from annotator.models import Contradiction

    from .conftest import analysis_with, chunk

    bridge.on_chunk(chunk(1, "I have never worked with Kubernetes."))
    bridge.on_chunk(chunk(2, "I migrated our cluster to Kubernetes."))
    c = Contradiction("I migrated our cluster to Kubernetes", "never worked with Kubernetes", "x")
    bridge.on_analysis(analysis_with((2,), contradictions=(c,)))
    bridge.on_chunk(chunk(3, "It went well."))
    bridge.on_analysis(
        analysis_with(
            (3,),
            contradictions=(
                Contradiction("I migrated our cluster to Kubernetes.", "Never worked with Kubernetes", "y"),
            ),
        )
    )
    assert len(window.flags.cards) == 1


def test_a_file_that_is_not_audio_is_named_as_such_and_leaves_no_session(
    qtbot, make_app, hub, sessions_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=()))
    garbage = tmp_path / "meeting.wav"
    garbage.write_bytes(bytes(range(256)) * 80)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for path, said in ((garbage, "is not an audio file annotator can read"), (empty, "is empty (0 bytes)")):
        app.window.open_requested.emit(str(path))
        qtbot.waitUntil(lambda path=path: any(str(path) in m.text for m in hub.history), timeout=30000)
        qtbot.waitUntil(lambda: not app.sessions.active, timeout=10000)
        text = next(m.text for m in hub.history if str(path) in m.text)
        assert said in text and "input device" not in text and "Errno" not in text
    assert list(sessions_dir.glob("*.jsonl")) == []


def test_a_silent_file_says_no_speech_was_heard_and_keeps_no_session(
    qtbot, make_app, hub, whisper_model, sessions_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    import soundfile

    silent = tmp_path / "silence.wav"
    soundfile.write(str(silent), np.zeros(16000 * 10, dtype=np.float32), 16000)
    app = make_app(Config(providers=()))
    app.sessions.model.whisper = whisper_model
    app.window.speed_combo.setCurrentIndex(app.window.speed_combo.findData(0.0))
    app.window.open_requested.emit(str(silent))
    qtbot.waitUntil(lambda: app.sessions.live is not None, timeout=10000)
    qtbot.waitUntil(lambda: any("No speech was heard" in m.text for m in hub.history), timeout=30000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=10000)
    said = next(m.text for m in hub.history if "No speech was heard" in m.text)
    assert "silence.wav" in said and "no sound at all" in said and "too quiet" in said
    assert "No speech was heard" in app.window.message_area.text()
    assert list(sessions_dir.iterdir()) == []  # neither the journal nor its audio is kept
    assert app.sessions.session_path is None


def test_the_vocabulary_field_is_used_by_the_session_and_kept_in_its_header(
    qtbot, make_app, whisper_model, fault_server: FaultServer
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    app.sessions.model.whisper = whisper_model
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    qtbot.keyClicks(win.vocabulary_edit, "Kennedy,  fellow Americans, kennedy")
    win.open_requested.emit(str(DATA / "jfk.flac"))
    enabled: list[bool] = []
    app.bridge.event.connect(lambda _e: enabled.append(win.vocabulary_edit.isEnabled()))
    qtbot.waitUntil(lambda: app.sessions.live is not None, timeout=10000)
    assert app.sessions.live.worker.options.vocabulary == ("Kennedy", "fellow Americans")
    qtbot.waitUntil(lambda: not app.sessions.active and not win.active, timeout=30000)
    assert False in enabled  # the session's terms are fixed while it runs
    assert win.vocabulary_edit.isEnabled()
    header = json.loads(app.sessions.session_path.read_text().splitlines()[0])
    assert header["type"] == "header" and header["vocabulary"] == ["Kennedy", "fellow Americans"]


def test_opening_a_saved_session_shows_its_vocabulary_and_the_next_session_keeps_the_field(
    qtbot, make_app, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from annotator.journal.writer import Journal
    from annotator.models import Chunk

    journal = Journal.create(tmp_path / "sessions", header={"vocabulary": ["Kubernetes", "Siobhan Okonkwo"]})
    journal.write_chunk(Chunk(1, "You", 0, 2, "We run Kubernetes."))
    journal.close()
    older = Journal.create(tmp_path / "sessions", header={})  # from before vocabularies
    older.write_chunk(Chunk(1, "You", 0, 2, "Hello."))
    older.close()
    app = make_app(Config())
    win = app.window
    win.set_vocabulary(["Globex"])  # typed for the next interview, or --vocabulary

    opened = events_of(app, "opened")
    win.open_requested.emit(str(journal.path))
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert win.vocabulary_edit.text() == "Kubernetes, Siobhan Okonkwo"

    # the next session listens for what the field shows (a recording keeps them in its header)
    transcript = tmp_path / "next.txt"
    transcript.write_text("Candidate: I know Siobhan.\n", encoding="utf-8")
    win.set_speed(0.0)
    win.replay_requested.emit(str(transcript))
    qtbot.waitUntil(lambda: app.sessions.session_path not in (None, journal.path), timeout=10000)
    assert app.sessions.session_vocabulary() == ("Kubernetes", "Siobhan Okonkwo")
    qtbot.waitUntil(lambda: not app.sessions.active and not win.active, timeout=10000)
    assert win.vocabulary_edit.text() == "Kubernetes, Siobhan Okonkwo"

    win.open_requested.emit(str(older.path))  # a session that listened for no terms empties the field
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    assert win.vocabulary_edit.text() == ""
