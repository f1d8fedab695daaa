"""The main window rendering real domain values delivered through the bridge."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel

from annotator.analysis.analyzer import ProviderStatus
from annotator.errors import AudioError
from annotator.models import LOCAL_PROVIDER, Analysis, Attempt, Contradiction, Insight, Mark, Outcome, Sentiment
from annotator.ui.bridge import Bridge
from annotator.ui.main_window import MainWindow
from annotator.ui.transcript_view import COL_MOOD, COL_TEXT
from tests.helpers.events import event

from .conftest import analysis_with, chunk

MARKUP = '<b>bold</b> <a href="http://x">link</a> <img src=x>'


def test_lines_markers_and_status(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, "I have led the team for three years."))
    bridge.on_chunk(chunk(1, "It was a great year."))
    model = window.transcript_model
    assert model.rowCount() == 2
    assert model.data(model.index(0, COL_TEXT)) == "I have led the team for three years."
    assert model.data(model.index(1, COL_MOOD)) == "…"  # waiting for analysis
    answer = analysis_with((0, 1), score=0.6, provider="groq", model="llama-3.3")
    bridge.on_analysis(answer)
    assert model.data(model.index(1, COL_MOOD)) == "+0.60"
    assert "groq" in window.status.answer.text() and "llama-3.3" in window.status.answer.text()
    assert "420 ms" in window.status.answer.text()
    # the session pushes the chain's state after each analysis; the dots show it
    bridge.on_event(
        event("providers", {"states": (ProviderStatus("groq", "openai", "llama-3.3", last=answer.attempts[0]),)})
    )
    assert "groq" in window.status.providers.dots
    assert "420 ms" in window.status.providers.tip("groq")
    assert "360 tokens" in window.status.usage_label.text()
    assert len(window.timeline.points) == 1


def test_card_click_selects_both_statements(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, "I have been leading the backend team for about three years now."))
    bridge.on_chunk(chunk(1, "There are six engineers reporting to me."))
    bridge.on_chunk(chunk(2, "When I joined the company eighteen months ago, I was promised a path."))
    c = Contradiction(
        "joined the company eighteen months ago",
        "leading the backend team for about three years",
        "Three years of leading does not fit joining eighteen months ago.",
    )
    bridge.on_analysis(analysis_with((2,), score=-0.3, contradictions=(c,)))
    assert len(window.flags.cards) == 1
    card = window.flags.cards[0]
    assert (card.flag.chunk_id, card.flag.earlier_chunk_id) == (2, 0)
    assert "⚑" in window.transcript_model.data(window.transcript_model.index(2, COL_MOOD))
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert window.transcript.selected_chunk_ids() == [0, 2]
    # jump to next flag wraps around to the same (only) card and selects again
    window.transcript.clearSelection()
    window.act_next_flag.trigger()
    assert window.transcript.selected_chunk_ids() == [0, 2]


def test_a_cited_earlier_line_is_the_one_selected_and_the_follow_up_shows(
    qtbot, window: MainWindow, bridge: Bridge
) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, "I have led the backend team for three years."))
    bridge.on_chunk(chunk(1, "I have led the backend team for three years, as I said."))  # the quote matcher's pick
    bridge.on_chunk(chunk(2, "I joined eighteen months ago."))
    ask = "You said you joined eighteen months ago; how long have you led the team?"
    c = Contradiction("joined eighteen months ago", "led the backend team for three years", "x", "L0", ask)
    bridge.on_analysis(analysis_with((2,), score=-0.3, contradictions=(c,)))
    card = window.flags.cards[0]
    assert (card.flag.chunk_id, card.flag.earlier_chunk_id) == (2, 0)  # the cited line, not the latest match
    assert card.follow_up is not None and card.follow_up.text() == f"Ask: {ask}"
    assert card.follow_up.textFormat() == Qt.TextFormat.PlainText
    assert card.earlier.text().startswith("Earlier (00:00):")
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert window.transcript.selected_chunk_ids() == [0, 2]
    uncited = Contradiction("I joined", "the backend team", "y")  # a model that gives only DESIGN's fields
    bridge.on_analysis(analysis_with((2,), score=-0.3, contradictions=(uncited,)))
    assert len(window.flags.cards) == 2 and window.flags.cards[-1].follow_up is None


def test_markup_is_shown_literally(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, MARKUP))
    bridge.on_chunk(chunk(1, "plain"))
    c = Contradiction(MARKUP, "plain", MARKUP)
    bridge.on_analysis(analysis_with((0,), contradictions=(c,)))
    model = window.transcript_model
    assert model.data(model.index(0, COL_TEXT)) == MARKUP
    card = window.flags.cards[0]
    labels = card.findChildren(QLabel)
    assert labels and all(lbl.textFormat() == Qt.TextFormat.PlainText for lbl in labels)
    assert any(lbl.text() == MARKUP for lbl in labels)
    assert not any(lbl.openExternalLinks() for lbl in labels)
    # the tooltip escapes the markup, so Qt shows the characters rather than bold text or an image
    tip = model.data(model.index(0, COL_TEXT), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>" not in tip


def test_all_providers_failed_shows_unavailable_and_local_estimate(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, "My manager keeps adding features without asking us."))
    failed = (
        Attempt("kimi", "kimi-k2", Outcome.TIMEOUT, None, 5000, detail="no first token within 5.0 s"),
        Attempt("claude", "haiku", Outcome.MISCONFIGURED, 401, 80, detail="invalid x-api-key"),
    )
    bridge.on_analysis(Analysis((0,), "", Insight(Sentiment("negative", -0.4)), LOCAL_PROVIDER, None, failed))
    model = window.transcript_model
    assert model.data(model.index(0, COL_MOOD)) == "local \u22120.40"
    tip = model.data(model.index(0, COL_MOOD), Qt.ItemDataRole.ToolTipRole)
    assert "Analysis unavailable" in tip and "local sentiment estimate" in tip and "kimi timed out" in tip
    assert window.message_area.isVisible()
    history = [m.text for m in window.messages.history]
    assert any("claude is misconfigured" in t and "Settings" in t for t in history)
    # one sentence saying what to do; each provider's reason is on hover
    [unavailable] = [m for m in window.messages.history if m.text.startswith("Analysis unavailable")]
    assert unavailable.text == (
        "Analysis unavailable for the last chunk (a local sentiment estimate is shown): a provider "
        "was refused and the others failed: fix its key, base URL or model in Settings > "
        "Providers or the config file."
    )
    assert "kimi" not in unavailable.text and "claude" not in unavailable.text
    assert unavailable.details.splitlines() == [
        "kimi timed out after 5.0 s: no first token within 5.0 s",
        "claude is misconfigured HTTP 401 after 80 ms: invalid x-api-key",
    ]
    assert window.message_area.text() == unavailable.text
    hover = window.message_area.toolTip()
    assert "kimi timed out after 5.0 s: no first token within 5.0 s" in hover and "invalid x-api-key" in hover
    bridge.on_chunk(chunk(1, "next"))
    bridge.on_analysis(Analysis((1,), "", None, None, None, failed))
    assert model.data(model.index(1, COL_MOOD)) == "unavailable"
    # the misconfigured warning is given once per session, not per chunk
    assert sum(m.text.startswith("Provider claude is misconfigured") for m in window.messages.history) == 1


def test_errors_reach_the_message_area(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_error(
        AudioError("The input device 'USB mic' disappeared. Plug it back in or pick another input, then press Record.")
    )
    assert window.message_area.isVisible()
    assert window.message_area.text().startswith("The input device 'USB mic' disappeared.")


def test_marks_and_state(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_event(event("recording", {}))
    assert window.status.state.text() == "● Recording"
    assert not window.act_record.isEnabled() and window.act_stop.isEnabled()
    bridge.on_chunk(chunk(0, "I could not accept anything under one hundred and sixty."))
    with qtbot.waitSignal(window.mark_requested) as sig:
        window.act_flag.trigger()
    assert sig.args == ["flag", ""]
    bridge.on_mark(Mark(4.0, "flag", "", 0))
    bridge.on_mark(Mark(4.0, "bookmark", "", 0))
    assert window.flags.cards[-1].flag.manual
    assert window.timeline.marks == [4.0]
    bridge.on_level("You", 0.5)
    assert window.level_meter.level == 0.5
    bridge.on_event(event("stopped", {}))
    assert window.act_record.isEnabled() and not window.act_stop.isEnabled()


def test_shortcuts_listed_in_menus(window: MainWindow) -> None:
    listed = {a.text(): a.shortcut().toString() for a in window.session_menu.actions() if not a.isSeparator()}
    assert listed["● Record"] == "Ctrl+R"
    assert listed["■ Stop"] == "Ctrl+."
    assert listed["Mark moment"] == "Ctrl+M"
    assert listed["Flag last statement"] == "Ctrl+F"
    assert listed["Next flag"] == "Ctrl+J"


def test_quit_during_session_asks_first(qtbot, hub, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    answers: list[str] = []
    win = MainWindow(hub, confirm=lambda title, text: answers.append(text) is not None and False)
    qtbot.addWidget(win)
    win.show()
    win.on_event(event("recording", {}))
    assert not win.close()
    assert answers and "recording" in answers[0]
    assert win.isVisible()


def test_device_picker_names_what_record_will_use(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.set_devices([("hw:1", "USB mic"), ("sink.monitor", "sink.monitor (system audio)")])
    assert window.device_combo.itemText(0) == "Default input" and window.device_combo.currentData() is None
    window.set_devices([("hw:1", "USB mic")], configured=("hw:1", "sink.monitor"))
    assert window.device_combo.itemText(0) == "Settings: hw:1 + sink.monitor"
    window.device_combo.setCurrentIndex(1)
    with qtbot.waitSignal(window.record_requested) as sig:
        window.act_record.trigger()
    assert sig.args == ["hw:1"]


def test_a_failing_coroutine_is_reported_as_a_sentence(qtbot, aio_loop, hub, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    from annotator.errors import ConfigError

    async def broken() -> None:
        raise RuntimeError("boom")

    async def refused() -> None:
        raise ConfigError("config.toml: provider 'kimi': base_url: 'x' is not an http:// or https:// URL")

    failures: list[BaseException] = []
    bridge.run(broken(), what="Opening the file", on_failure=failures.append)
    bridge.run(refused(), what="Saving", on_failure=failures.append)
    qtbot.waitUntil(lambda: len(failures) == 2)
    texts = [m.text for m in hub.history]
    assert texts[0].startswith("Opening the file failed unexpectedly (RuntimeError: boom). This is a bug;")
    assert texts[1] == "config.toml: provider 'kimi': base_url: 'x' is not an http:// or https:// URL"


def test_newest_line_stays_in_view_unless_the_user_scrolled_up(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bar = window.transcript.verticalScrollBar()
    for i in range(60):
        bridge.on_chunk(chunk(i, f"Line number {i} of a long interview."))
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    bar.setValue(0)  # the user scrolls up to reread something
    assert not window.transcript.following
    bridge.on_chunk(chunk(60, "A new line arrives."))
    for _ in range(3):  # let the view lay the new row out (it would have jumped then), without waiting on time
        QApplication.processEvents()
    assert bar.value() == 0
    window.act_follow.trigger()
    bridge.on_chunk(chunk(61, "And another."))
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    assert window.transcript.following


def test_long_lines_wrap_into_taller_rows_and_follow_the_window_width(
    qtbot, window: MainWindow, bridge: Bridge
) -> None:  # type: ignore[no-untyped-def]
    view = window.transcript
    window.resize(1200, 700)
    long = "This answer goes on and on about the routing engine and the team that built it. " * 4
    bridge.on_chunk(chunk(0, "Short."))
    bridge.on_chunk(chunk(1, long))
    bridge.on_chunk(chunk(2, "Short again."))
    qtbot.waitUntil(lambda: view.rowHeight(1) > view.rowHeight(0))
    short_height, wrapped = view.rowHeight(0), view.rowHeight(1)
    assert view.rowHeight(2) == short_height
    window.resize(700, 700)  # a narrower text column wraps into more lines
    qtbot.waitUntil(lambda: view.rowHeight(1) > wrapped)
    assert view.rowHeight(0) == short_height


def test_hovering_a_button_leaves_the_state_in_view(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QStatusTipEvent

    bridge.on_event(event("replay_started", {}))
    bridge.on_event(event("replay_progress", {"done": 8, "total": 20}))
    assert window.status.state.text() == "▶ Replaying 8/20"
    button = window.toolbar.widgetForAction(window.act_export)
    QApplication.sendEvent(button, QStatusTipEvent(window.act_export.statusTip()))  # what hovering it sends
    assert window.status.state.isVisible() and window.status.state.text() == "▶ Replaying 8/20"
    assert window.status.note.isVisible() and window.status.note.text() == window.act_export.statusTip()
    QApplication.sendEvent(button, QStatusTipEvent(""))  # the pointer left
    assert not window.status.note.isVisible() and window.status.answer.isVisible()
    window.status.showMessage("Marked 4 s", 3000)  # a short note takes the answer's place, not the state's
    assert window.status.state.isVisible() and window.status.note.text() == "Marked 4 s"


def test_the_cost_keeps_clear_of_the_window_edge(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, "Hello."))
    bridge.on_analysis(analysis_with((0,)))
    QApplication.processEvents()
    usage = window.status.usage_label
    text_right = usage.mapTo(window.status, usage.contentsRect().topRight()).x()  # where the figure's text may reach
    assert window.status.width() - text_right >= 12


def test_model_ready_does_not_replace_a_finished_sessions_state(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_event(event("model_loading", {}))
    assert window.status.state.text() == "Loading transcription model…"
    bridge.on_event(event("replay_started", {}))
    bridge.on_event(event("model_ready", {}))
    assert window.status.state.text() == "▶ Replaying"
    bridge.on_event(event("stopped", {}))
    bridge.on_event(event("model_ready", {}))  # the model finished loading after a text replay ended
    assert window.status.state.text() == "Stopped"


def test_recording_shows_its_running_time(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    window.status.clock = lambda: now[0]
    bridge.on_event(event("recording", {}))
    assert window.status.elapsed.isVisible() and window.status.elapsed.text() == "00:00"
    assert window.status.timing  # ticks every second
    now[0] += 75
    qtbot.waitUntil(lambda: window.status.elapsed.text() == "01:15")
    now[0] += 3600
    window.status.tick()
    assert window.status.elapsed.text() == "1:01:15"
    bridge.on_event(event("stopped", {}))
    assert not window.status.timing and window.status.elapsed.text() == "1:01:15"  # how long it ran stays in view


def test_the_empty_transcript_says_it_is_listening_while_recording(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    assert "Press Record" in window.transcript.placeholder
    bridge.on_event(event("recording", {}))
    assert "Press Record" not in window.transcript.placeholder and "Listening" in window.transcript.placeholder
    bridge.on_event(event("stopped", {}))
    assert "Press Record" in window.transcript.placeholder


@pytest.fixture
def app_style(qapp):  # type: ignore[no-untyped-def]
    """The app's style sheet (padding and spacing count in widths), as app.py sets it."""
    from annotator import paths

    qapp.setStyleSheet(paths.resource("style.qss").read_text(encoding="utf-8"))
    yield
    qapp.setStyleSheet("")


def test_every_toolbar_button_fits_at_900_px(qtbot, app_style, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QToolButton

    window.resize(900, 700)
    qtbot.waitUntil(lambda: window.width() == 900)
    bar = window.toolbar
    for kind in ("stopped", "replay_started", "paused"):  # "Pause" becomes the wider "▶ Resume"
        window.on_event(event(kind, {}))
        QApplication.processEvents()
        extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        assert extension is None or not extension.isVisible(), event
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            assert widget is not None and widget.isVisible(), (event, action.text())
            assert widget.geometry().right() <= bar.width(), (event, action.text())
    for action in (
        window.act_record,
        window.act_stop,
        window.act_open,
        window.act_pause,
        window.act_mark,
        window.act_flag,
        window.act_next_flag,
        window.act_review,
        window.act_export,
        window.act_settings,
    ):
        assert action in bar.actions()


def test_export_without_a_session_says_so_without_a_dialog(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
    window.act_export.trigger()
    assert asked == []
    assert window.messages.history[-1].text == "There is no session to export yet: record or replay something first."


def test_a_clicked_flag_card_shows_it_is_the_selected_one(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    bridge.on_chunk(chunk(0, "I have never worked with Kubernetes."))
    bridge.on_chunk(chunk(1, "I have been leading the backend team for about three years now."))
    bridge.on_chunk(chunk(2, "Last spring I migrated our whole cluster to Kubernetes."))
    bridge.on_chunk(chunk(3, "When I joined the company eighteen months ago, I was promised a path."))
    bridge.on_analysis(
        analysis_with(
            (2,),
            contradictions=(
                Contradiction("migrated our whole cluster to Kubernetes", "never worked with Kubernetes", "k8s"),
            ),
        )
    )
    bridge.on_analysis(
        analysis_with(
            (3,),
            contradictions=(
                Contradiction(
                    "joined the company eighteen months ago", "leading the backend team for about three years", "years"
                ),
            ),
        )
    )
    first, second = window.flags.cards
    for card, other in ((first, second), (second, first)):
        qtbot.mouseClick(card.statement, Qt.MouseButton.LeftButton, pos=QPoint(8, 4))  # on its text, as a user clicks
        assert card.property("selected") is True and other.property("selected") is False


def test_a_wide_window_gives_its_room_to_the_panes_not_the_input_fields(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.resize(1600, 800)
    qtbot.waitUntil(lambda: window.width() >= 1280, timeout=5000)
    assert window.device_combo.width() <= 320 and window.vocabulary_edit.width() <= 320
