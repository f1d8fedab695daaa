"""The post-session review in the window: a saved session with live flags, reviewed through a
loopback [post] provider (fault server): cost asked first, verdicts on the cards, missed
contradictions as new cards, the review panel, the cost total and the journal record."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer

from annotator.config.schema import POST_PROVIDER_DEFAULTS, Config, PostConfig
from annotator.formats.readers import read_session
from annotator.journal.writer import Journal
from annotator.models import (
    Analysis,
    Attempt,
    Chunk,
    Contradiction,
    Insight,
    Outcome,
    Sentiment,
)
from annotator.ui.review_verdicts import CONFIRMED, WRONG
from tests.helpers.events import pairs
from tests.helpers.faultserver import FaultServer, Reply

LINES = [
    ("Interviewer", "Thanks for coming in. Tell me about your last role."),
    ("Candidate", "I led the payments team for about three years."),
    ("Interviewer", "What did the team build?"),
    ("Candidate", "We moved the ledger to Postgres and cut settlement time in half."),
    ("Interviewer", "When did you join that company?"),
    ("Candidate", "I joined eighteen months ago, right after the acquisition."),
    ("Interviewer", "And on-call?"),
    ("Candidate", "I carried the pager for the whole team every other week."),
    ("Interviewer", "Which database did you run?"),
    ("Candidate", "We ran everything on MySQL, we never touched Postgres."),
]
TENURE = Contradiction(
    "I joined eighteen months ago", "I led the payments team for about three years", "Tenure does not add up."
)
PAGER = Contradiction("I carried the pager for the whole team", "We moved the ledger to Postgres", "Odd.")
REJECT_REASON = "On-call and the ledger are <b>different things</b>; nothing conflicts."

REVIEW = json.dumps(
    {
        "confirmed": [
            {
                "flag": 1,
                "statement": "I joined eighteen months ago",
                "statement_at": "00:25",
                "earlier": "I led the payments team for about three years",
                "earlier_at": "00:05",
                "reason": "Three years of leading cannot fit in eighteen months.",
            }
        ],
        "rejected": [
            {
                "flag": 2,
                "statement": "I carried the pager",
                "statement_at": "00:35",
                "earlier": "We moved the ledger to Postgres",
                "earlier_at": "00:15",
                "reason": REJECT_REASON,
            }
        ],
        "missed": [
            {
                "statement": "We ran everything on MySQL, we never touched Postgres",
                "statement_at": "00:45",
                "earlier": "We moved the ledger to Postgres",
                "earlier_at": "00:15",
                "explanation": "Postgres both moved to and never touched.",
            }
        ],
        "sentiment_arc": {
            "summary": "Friendly, then guarded about tenure.",
            "turning_points": [{"at": "00:25", "label": "negative", "score": -0.3, "why": "The tenure question."}],
        },
        "claims": ["[00:05] Candidate: led payments for three years"],
        "summary": "A backend lead interview; the tenure and database stories do not add up.",
        "follow_up_questions": ["Which role did you hold before the acquisition?"],
    }
)


def saved_session(directory: Path, *, repeated: bool = False) -> Path:
    """A closed journal: ten lines and two live flags (analyses of lines 6 and 8);
    ``repeated``: the provider raised the tenure one again, reworded, on line 7."""
    journal = Journal.create(directory, header={"model": "tiny.en"})
    chunks = [Chunk(i + 1, who, i * 5.0, i * 5.0 + 4.0, text) for i, (who, text) in enumerate(LINES)]
    for c in chunks:
        journal.write_chunk(c)
    attempt = Attempt("live", "fault-model", Outcome.OK, 200, 300, 200, 40, 0.0001)
    again = Contradiction("I joined eighteen months ago.", "I led the Payments team for about three years", "Again.")
    for cid, flag in ((6, TENURE), *(((7, again),) if repeated else ()), (8, PAGER)):
        insight = Insight(Sentiment("neutral", 0.0), (flag,))
        journal.write_analysis(Analysis((cid,), chunks[cid - 1].text, insight, "live", "fault-model", (attempt,), 300))
    journal.close()
    return journal.path


def config(server: FaultServer) -> Config:
    strong = server.provider("strong", price_in_per_mtok=3.0, price_out_per_mtok=15.0, **POST_PROVIDER_DEFAULTS)
    return Config(providers=(server.provider("live"),), post=PostConfig(providers=(strong,)))


def open_saved(qtbot, app, path: Path) -> None:  # type: ignore[no-untyped-def]
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    opened: list[str] = []
    app.bridge.event.connect(pairs(lambda kind, data: opened.append(kind) if kind == "opened" else None))
    win.open_requested.emit(str(path))  # shown at once, not replayed
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert win.status.state.text().startswith("Saved session:")
    assert not app.sessions.active and not win.active
    assert len(win.flags.cards) == 2


def test_review_marks_cards_adds_missed_and_lands_in_the_journal(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("strong", Reply.ok(REVIEW))
    app = make_app(config(fault_server))
    win = app.window
    journal = saved_session(sessions_dir)
    assert not win.act_review.isEnabled()  # nothing open yet
    open_saved(qtbot, app, journal)
    assert win.act_review.isEnabled()
    assert win.act_review in win.session_menu.actions() and win.toolbar.widgetForAction(win.act_review) is not None
    asked: list[str] = []
    win.confirm = lambda title, text: (asked.append(text), True)[1]
    states: list[str] = []
    set_state = win.status.set_state
    win.status.set_state = lambda text: (states.append(text), set_state(text))[1]  # type: ignore[method-assign]
    cost_before = win.status.usage.cost_usd
    win.resize(1100, 640)  # small enough that the new card lies below the fold

    win.act_review.trigger()
    qtbot.waitUntil(lambda: win.review_section.isVisible(), timeout=20000)

    assert len(asked) == 1 and asked[0].startswith("Review by strong (strong-model), 1 request, 2 live flags:")
    assert "estimated cost $" in asked[0]
    assert any(s.startswith("Reviewing: the transcript sent") for s in states), states
    assert any(s.startswith("Reviewing: the transcript answered by strong") for s in states), states
    [request] = fault_server.requests_for("strong")
    assert "We ran everything on MySQL" in request.prompt_text
    assert not win.reviewing and win.act_review.isEnabled()  # a second review may follow

    tenure, pager, missed = win.flags.cards
    assert tenure.review is not None and tenure.review.verdict == CONFIRMED
    assert (
        tenure.verdict is not None
        and tenure.verdict.text() == "✔ Confirmed by the review: Three years of leading cannot fit in eighteen months."
    )
    assert pager.review is not None and pager.review.verdict == WRONG
    assert pager.verdict is not None and pager.verdict.text() == f"✖ Wrong, says the review: {REJECT_REASON}"
    assert pager.verdict.textFormat() == Qt.TextFormat.PlainText  # the reviewer's markup is shown literally
    assert missed.flag.found_by_review and missed.title.text() == "Missed live · found by the review · 00:45"
    assert missed.earlier.text() == "Earlier (00:15): “We moved the ledger to Postgres”"
    qtbot.waitUntil(lambda: not missed.visibleRegion().isEmpty(), timeout=5000)  # the news is scrolled into view
    assert win.flags.verticalScrollBar().value() > 0
    assert win.timeline.review_flags == [45.0] and win.timeline.flags == [25.0, 35.0]
    qtbot.mouseClick(missed, Qt.MouseButton.LeftButton, pos=QPoint(12, 12))
    assert win.transcript.selected_chunk_ids() == [4, 10]

    labels = win.review_panel.labels()
    assert labels[0].startswith("by strong (fault-model), $0.0") and "1 request" in labels[0]
    assert labels[1] == "Live flags: 1 confirmed, 1 wrong, 0 not judged · 1 missed by the live pass (new cards)"
    assert "A backend lead interview; the tenure and database stories do not add up." in labels
    assert "Friendly, then guarded about tenure." in labels
    assert "00:25  negative \u22120.30 — The tenure question." in labels
    assert "1. Which role did you hold before the acquisition?" in labels

    review = read_session(journal).review
    assert review is not None and review.result is not None
    assert [c.flag for c in review.result.confirmed] == [1] and [c.flag for c in review.result.rejected] == [2]
    assert review.cost_usd > 0
    assert abs(win.status.usage.cost_usd - (cost_before + review.cost_usd)) < 1e-9  # the review is in the total
    assert states[-1] == "Reviewed"

    # Opening the session again shows its saved review at once; nothing is sent.
    open_saved_again = len(fault_server.requests)
    win.open_requested.emit(str(journal))
    qtbot.waitUntil(lambda: len(win.flags.cards) == 3 and win.review_section.isVisible(), timeout=20000)
    assert [c.review.verdict if c.review else None for c in win.flags.cards[:2]] == [CONFIRMED, WRONG]
    assert len(fault_server.requests) == open_saved_again
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=20000)


def test_a_repeated_contradiction_is_one_flag_for_the_review_and_the_export(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("strong", Reply.ok(REVIEW))
    app = make_app(config(fault_server))
    win = app.window
    journal = saved_session(sessions_dir, repeated=True)
    open_saved(qtbot, app, journal)  # two cards: the repeat is the same card
    asked: list[str] = []
    win.confirm = lambda title, text: (asked.append(text), True)[1]
    win.act_review.trigger()
    qtbot.waitUntil(lambda: win.review_section.isVisible(), timeout=20000)
    assert "2 live flags" in asked[0]
    assert fault_server.requests_for("strong")[0].prompt_text.count("eighteen months ago") <= 2  # the line, one flag
    assert (
        win.review_panel.labels()[1]
        == "Live flags: 1 confirmed, 1 wrong, 0 not judged · 1 missed by the live pass (new cards)"
    )
    assert [c.review.verdict if c.review else None for c in win.flags.cards[:2]] == [CONFIRMED, WRONG]
    out = tmp_path / "s.md"
    app.bridge.run(app.sessions.export(journal, out, "md"), what="export")
    qtbot.waitUntil(out.exists, timeout=5000)
    md = out.read_text(encoding="utf-8")
    assert md.count("Contradiction:** “I joined eighteen months ago") == 1
    assert (
        md.count("Live flags confirmed") == 1
        and md.split("### Live flags confirmed")[1].split("###")[0].count("- [") == 1
    )


def test_declining_the_estimate_sends_nothing(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path, hub
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(config(fault_server))
    win = app.window
    journal = saved_session(sessions_dir)
    open_saved(qtbot, app, journal)
    asked: list[str] = []
    win.confirm = lambda title, text: (asked.append(text), False)[1]
    win.act_review.trigger()
    qtbot.waitUntil(lambda: bool(asked) and not win.reviewing, timeout=10000)
    assert hub.history[-1].text == "The review was not run; nothing was sent."
    assert fault_server.requests == []
    assert all(c.review is None for c in win.flags.cards) and not win.review_section.isVisible()
    assert win.act_review.isEnabled()
    assert read_session(journal).review is None


def test_a_failing_post_chain_shows_the_error_and_what_to_do(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path, hub
) -> None:  # type: ignore[no-untyped-def]
    fault_server.set_default(Reply.status(401, body='{"error": "invalid key"}'), provider="strong")
    app = make_app(config(fault_server))
    win = app.window
    journal = saved_session(sessions_dir)
    open_saved(qtbot, app, journal)
    win.act_review.trigger()
    qtbot.waitUntil(lambda: not win.reviewing and any("no valid answer" in m.text for m in hub.history), timeout=20000)
    message = next(m for m in hub.history if "no valid answer" in m.text)
    assert message.level.value == "error"
    assert "strong is misconfigured HTTP 401" in message.text and "Settings > Providers" in message.text
    assert win.message_area.isVisible() and "no valid answer" in win.message_area.text()
    assert fault_server.requests_for("strong")
    assert all(c.review is None for c in win.flags.cards) and not win.review_section.isVisible()
    review = read_session(journal).review
    assert review is not None and review.result is None and review.error


def test_the_real_question_box_declined_sends_nothing(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """The app's own modal question (QMessageBox.exec inside the qasync loop), answered No."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from annotator.ui.dialogs import ask_user

    app = make_app(config(fault_server))
    win = app.window
    open_saved(qtbot, app, saved_session(sessions_dir))
    win.confirm = ask_user(win)
    seen: list[str] = []

    def answer_no() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_no)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, answer_no)
    win.act_review.trigger()
    qtbot.waitUntil(lambda: bool(seen) and not win.reviewing, timeout=10000)
    assert seen[0].startswith("Review by strong (strong-model)") and seen[0].endswith("Run the review?")
    assert fault_server.requests == []


def test_the_window_keeps_processing_events_while_the_review_runs(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("strong", Reply.ok(REVIEW, delay_s=1.0))
    app = make_app(config(fault_server))
    win = app.window
    open_saved(qtbot, app, saved_session(sessions_dir))
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(win)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    win.act_review.trigger()
    qtbot.waitUntil(
        lambda: win.reviewing and win.status.state.text().startswith("Reviewing: the transcript sent"), timeout=5000
    )
    qtbot.waitUntil(lambda: win.review_section.isVisible(), timeout=20000)
    timer.stop()
    assert len(gaps) > 50  # the timer ran through the second the provider took
    assert max(gaps) < 0.5, f"event loop stalled {max(gaps) * 1000:.0f} ms during the review"


def test_reopening_a_session_whose_review_failed_does_not_repeat_the_error(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path, hub
) -> None:  # type: ignore[no-untyped-def]
    fault_server.set_default(Reply.status(401, body='{"error": "invalid key"}'), provider="strong")
    app = make_app(config(fault_server))
    win = app.window
    journal = saved_session(sessions_dir)
    open_saved(qtbot, app, journal)
    win.act_review.trigger()
    qtbot.waitUntil(lambda: not win.reviewing and any("no valid answer" in m.text for m in hub.history), timeout=20000)
    errors = sum("no valid answer" in m.text for m in hub.history)
    replays: list[str] = []
    app.bridge.event.connect(pairs(lambda kind, data: replays.append(kind)))
    open_saved(qtbot, app, journal)
    assert "review" in replays  # the stored (failed) review was delivered with the session
    assert sum("no valid answer" in m.text for m in hub.history) == errors
    assert not win.review_section.isVisible() and all(c.review is None for c in win.flags.cards)


def test_a_session_that_just_ended_can_be_reviewed(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    """Replay a transcript (a new journal, live flags from the loopback chain), then review it at once."""
    from tests.ui.test_window_session import DATA, replies_for_interview

    reply = {
        "confirmed": [
            {
                "flag": 2,
                "statement": "Last spring I migrated our whole cluster to Kubernetes",
                "statement_at": "01:27",
                "earlier": "I have never worked with Kubernetes",
                "earlier_at": "00:30",
                "reason": "Both cannot be true.",
            }
        ],
        "rejected": [],
        "missed": [],
        "sentiment_arc": {"summary": "Steady.", "turning_points": []},
        "claims": [],
        "summary": "An interview.",
        "follow_up_questions": [],
    }
    fault_server.script("live", *replies_for_interview())
    fault_server.script("strong", Reply.ok(json.dumps(reply)))
    app = make_app(config(fault_server))
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: win.active, timeout=5000)
    assert not win.act_review.isEnabled()  # not while it runs
    qtbot.waitUntil(lambda: not app.sessions.active and not win.active, timeout=30000)
    journal = app.sessions.session_path
    assert journal is not None and win.act_review.isEnabled()
    win.act_review.trigger()
    qtbot.waitUntil(lambda: win.review_section.isVisible(), timeout=20000)
    assert [c.review.verdict if c.review else None for c in win.flags.cards] == ["not judged", CONFIRMED]
    assert win.flags.cards[0].verdict is not None and win.flags.cards[0].verdict.text() == "– Not judged by the review"
    review = read_session(journal).review
    assert review is not None and review.result is not None and review.result.unreviewed == (1,)


def test_quitting_while_the_review_runs_asks_first(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    fault_server.script("strong", Reply.ok(REVIEW, delay_s=1.0))
    app = make_app(config(fault_server))
    win = app.window
    open_saved(qtbot, app, saved_session(sessions_dir))
    asked: list[str] = []
    win.act_review.trigger()
    qtbot.waitUntil(lambda: win.status.state.text().startswith("Reviewing: the transcript sent"), timeout=5000)
    win.confirm = lambda title, text: (asked.append(text), False)[1]
    win.close()
    assert asked and asked[0].startswith("The session review is still running.")
    assert win.isVisible()
    qtbot.waitUntil(lambda: win.review_section.isVisible(), timeout=20000)  # it went on and finished


def test_without_a_usable_review_provider_it_says_so_and_sends_nothing(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path, hub
) -> None:  # type: ignore[no-untyped-def]
    from annotator.config.schema import ProviderConfig

    needs_key = ProviderConfig(
        name="kimi",
        kind="openai",
        base_url="https://api.moonshot.ai/v1",
        model="kimi-k2-turbo-preview",
        api_key_env="MOONSHOT_API_KEY",
    )
    app = make_app(Config(providers=(fault_server.provider("live"),), post=PostConfig(providers=(needs_key,))))
    win = app.window
    open_saved(qtbot, app, saved_session(sessions_dir))
    asked: list[str] = []
    win.confirm = lambda title, text: (asked.append(text), True)[1]
    win.act_review.trigger()
    qtbot.waitUntil(lambda: not win.reviewing and bool(hub.history), timeout=10000)
    assert hub.history[-1].text.startswith("no provider is usable for the review (kimi:")
    assert asked == [] and fault_server.requests == []
    assert win.act_review.isEnabled() and win.status.state.text() != "Estimating the review's cost…"
