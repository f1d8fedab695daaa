"""A rate-limit window as the window shows it (issue 19): merged warnings, the held note, the unanalysed summary."""

from __future__ import annotations

from annotator.models import LOCAL_PROVIDER, Analysis, Attempt, Insight, Outcome, Sentiment
from annotator.ui.bridge import Bridge
from annotator.ui.main_window import MainWindow
from annotator.ui.messages import MessageArea, MessageHub
from tests.helpers.events import event, pairs
from tests.ui.conftest import chunk


def limited(i: int, seconds: int) -> Analysis:
    attempts = (
        Attempt("a", "m", Outcome.SKIPPED, detail=f"rate limited: Retry-After has {seconds} s to run"),
        Attempt("b", "m", Outcome.RATE_LIMITED, 429, 12, detail=f"HTTP 429, rate limited; Retry-After {seconds} s"),
    )
    return Analysis((i,), "", Insight(Sentiment("neutral", 0.0)), LOCAL_PROVIDER, None, attempts)


def test_messages_of_one_kind_merge_into_one_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    hub = MessageHub()
    area = MessageArea(hub)
    qtbot.addWidget(area)
    hub.warning("Provider a waits 2 s.", kind="wait")
    hub.warning("Provider a waits 1 s.", kind="wait")
    hub.warning("Provider b waits 2 s.", kind="wait")
    assert area.text() == "Provider b waits 2 s.  (×3)"
    hub.warning("Something else.")
    assert area.text() == "Something else."
    area.hide()  # dismissed: the next one starts a new count
    hub.warning("Provider a waits 2 s.", kind="wait")
    assert area.text() == "Provider a waits 2 s."


def test_repeated_unavailable_warnings_merge_whatever_their_wording(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    for i, seconds in enumerate((2, 1, 2)):
        bridge.on_chunk(chunk(i, f"line {i}"))
        bridge.on_analysis(limited(i, seconds))
    network = (Attempt("a", "m", Outcome.TIMEOUT, None, 5000, detail="no first token"),)
    bridge.on_chunk(chunk(3, "line 3"))
    bridge.on_analysis(Analysis((3,), "", Insight(Sentiment("neutral", 0.0)), LOCAL_PROVIDER, None, network))
    text = window.message_area.text()
    assert text.startswith("Analysis unavailable for the last chunk") and text.endswith("(×4)"), text
    assert not any(ch.isdigit() for ch in text.removesuffix("(×4)")), text  # no changing seconds in the sentence


def test_held_analysis_shows_in_the_status_bar_and_unanalysed_lines_in_the_strip(
    qtbot, window: MainWindow, bridge: Bridge
) -> None:  # type: ignore[no-untyped-def]
    bridge.on_event(event("analysis_held", {"chunks": 3, "seconds": 1.6}))
    assert window.status.currentMessage().startswith("Analysis held…"), window.status.currentMessage()
    assert "3 lines wait" in window.status.currentMessage()
    bridge.on_event(event("analysis_released", {"chunks": 3}))
    assert window.status.currentMessage() == ""
    sentence = "2 of 9 chunks were left unanalysed (local estimate only), from 00:05 to 00:14"
    bridge.on_event(event("unanalysed", {"chunks": 2, "total": 9, "from": 5.0, "to": 14.0, "sentence": sentence}))
    assert window.message_area.isVisible()
    assert window.message_area.text().startswith(sentence)


def test_a_replay_at_max_waits_out_a_rate_limit_window(qtbot, make_app, hub, fault_server) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: both providers rate-limit for 1 s at line 3; the replay waits, no line is left to the local estimate."""
    import json
    from pathlib import Path

    from annotator.config.schema import Config
    from annotator.sessions.pipeline import AnalysisQueueLimits
    from tests.helpers.faultserver import Reply

    fault_server.script("a", Reply.ok(), Reply.ok(), Reply.status(429, retry_after="1"))
    fault_server.script("b", Reply.status(429, retry_after="1"))
    app = make_app(
        Config(providers=(fault_server.provider("a"), fault_server.provider("b"))), limits=AnalysisQueueLimits()
    )
    win = app.window
    held = []
    app.bridge.event.connect(pairs(lambda kind, data: held.append(data) if kind == "analysis_held" else None))
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(Path(__file__).resolve().parent.parent / "data" / "backend-lead.txt"))
    qtbot.waitUntil(lambda: win.active, timeout=5000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    analyses = [r for r in records if r["type"] == "analysis"]
    assert len(analyses) == 20 and {r["provider"] for r in analyses} == {"a"}, [r["provider"] for r in analyses]
    assert held and held[0]["provider"] == "a"
    assert not any("Analysis unavailable" in m.text or "left unanalysed" in m.text for m in hub.history)
