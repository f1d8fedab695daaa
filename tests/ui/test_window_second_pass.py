"""Session > Transcribe again…: an ended session's saved audio heard again in the background with
progress; the window then shows the new text and the journal keeps the live text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from annotator.config.schema import Config, TranscriptionConfig
from annotator.journal.reader import read_journal
from annotator.ui.transcript_view import COL_TEXT
from tests.unit.sessions.test_retranscribe import live_session, offline_model_dir, term_hits


def test_transcribe_again_shows_the_revised_text(qtbot, make_app, whisper_model, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    path = live_session(sessions_dir, whisper_model, vocabulary=True)
    config = Config(providers=(), transcription=replace(TranscriptionConfig(), second_pass_model=offline_model_dir()))
    app = make_app(config)
    win = app.window
    posted: list[str] = []
    win.messages.posted.connect(lambda m: posted.append(str(getattr(m, "text", m))))
    win.open_requested.emit(str(path))
    qtbot.waitUntil(lambda: win.transcript_model.rowCount() > 0 and win.act_retranscribe.isEnabled(), timeout=10000)
    chunks = len(win.transcript_model.chunks())  # rows are lines: the revised text may join fragments differently

    def shown() -> str:
        model = win.transcript_model
        return " ".join(str(model.data(model.index(r, COL_TEXT))) for r in range(model.rowCount()))

    before = term_hits(shown())
    states: list[str] = []
    app.controller.second_pass_progress.connect(lambda d, t: states.append(win.status.state.text()))
    win.act_retranscribe.trigger()
    assert not win.act_retranscribe.isEnabled() and not win.act_review.isEnabled()
    qtbot.waitUntil(lambda: any("Revision 2" in p for p in posted), timeout=120000)
    qtbot.waitUntil(lambda: len(win.transcript_model.chunks()) == chunks and term_hits(shown()) > before, timeout=10000)
    assert states and all(s.startswith("Transcribing again") for s in states)
    record = read_journal(path)
    assert record.revision is not None and record.live_chunks is not None
    assert term_hits(" ".join(c.text for c in record.live_chunks)) == before  # the live text is kept


def test_transcribe_again_without_saved_audio_says_so(qtbot, make_app, whisper_model, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    path = live_session(sessions_dir, whisper_model, vocabulary=False, save_audio=False)
    config = Config(providers=(), transcription=replace(TranscriptionConfig(), second_pass_model=offline_model_dir()))
    app = make_app(config)
    win = app.window
    posted: list[str] = []
    win.messages.posted.connect(lambda m: posted.append(str(getattr(m, "text", m))))
    win.open_requested.emit(str(path))
    qtbot.waitUntil(lambda: win.act_retranscribe.isEnabled(), timeout=10000)
    win.act_retranscribe.trigger()
    qtbot.waitUntil(lambda: any("no audio was saved" in p for p in posted), timeout=20000)
    qtbot.waitUntil(lambda: win.act_retranscribe.isEnabled(), timeout=5000)
