"""What the controller does for the window: first run, unfinished sessions, export, quitting, model loading."""

from __future__ import annotations

import json
import time
from pathlib import Path

from annotator import paths
from annotator.app import offer_unfinished, unfinished
from annotator.config.schema import Config, ProviderConfig
from annotator.journal.record import FORMAT, FORMAT_VERSION
from annotator.models import LOCAL_PROVIDER
from annotator.ui.format import NO_PROVIDER_HINT
from annotator.ui.transcript_view import COL_MOOD
from tests.helpers.events import pairs
from tests.helpers.faultserver import FaultServer

DATA = Path(__file__).resolve().parent.parent / "data"
NEEDS_KEY = ProviderConfig(
    name="kimi",
    kind="openai",
    base_url="https://api.moonshot.ai/v1",
    model="kimi-k2-turbo-preview",
    api_key_env="MOONSHOT_API_KEY",
)


def test_first_run_without_a_key_explains_and_local_sentiment_works(qtbot, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(NEEDS_KEY,)))
    checked = []
    app.bridge.run(app.sessions.check_keys(), what="keys", on_result=checked.append)
    qtbot.waitUntil(lambda: bool(checked))
    app.controller.hint_if_no_provider()
    assert NO_PROVIDER_HINT in [m.text for m in app.window.messages.history]
    assert "no key" in app.window.status.providers.tip("kimi")

    transcript = tmp_path / "t.txt"
    transcript.write_text("Candidate: I am really proud of the team, it was a great year.\n", encoding="utf-8")
    analyses = []
    app.bridge.analysis.connect(analyses.append)
    app.window.speed_combo.setCurrentIndex(app.window.speed_combo.findData(0.0))
    app.window.open_requested.emit(str(transcript))
    qtbot.waitUntil(lambda: bool(analyses), timeout=10000)
    assert analyses[0].provider == LOCAL_PROVIDER
    mood = app.window.transcript_model.data(app.window.transcript_model.index(0, COL_MOOD))
    assert mood.startswith("local +")


def write_crashed_session(directory: Path, mode: str = "live") -> Path:
    """A journal as a crash leaves it: header and chunks, no end record, a torn last line."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "2026-11-25_10-00-00.jsonl"
    lines = [
        {"type": "header", "seq": 0, "ts": time.time(), "format": FORMAT, "version": FORMAT_VERSION, "mode": mode},
        {
            "type": "chunk",
            "seq": 1,
            "ts": time.time(),
            "id": 1,
            "source": "You",
            "start": 0.0,
            "end": 2.0,
            "text": "Hello there.",
        },
        {
            "type": "chunk",
            "seq": 2,
            "ts": time.time(),
            "id": 2,
            "source": "Them",
            "start": 2.5,
            "end": 4.0,
            "text": "Hi, thanks.",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines) + '{"type": "chunk", "se', encoding="utf-8")
    return path


def test_unfinished_session_is_repaired_and_offered_back(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    crashed = write_crashed_session(paths.sessions_dir())
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    asked = []
    started = []
    app.bridge.event.connect(pairs(lambda kind, data: started.append(kind) if kind == "replay_started" else None))
    offer_unfinished(
        lambda title, text, answer: asked.append(text) or answer(True),
        *unfinished(paths.sessions_dir()),
        app.controller,
        app.window.messages,
    )
    assert asked and "did not close cleanly" in asked[0] and "crashed while recording" in asked[0]
    qtbot.waitUntil(lambda: app.window.transcript_model.rowCount() == 2, timeout=10000)
    assert not app.sessions.active and not app.window.active and not started  # shown at once, not replayed
    assert app.window.act_review.isEnabled()
    records = [json.loads(line) for line in crashed.read_text().splitlines()]
    assert records[-1]["type"] == "end" and records[-1]["reason"] == "recovered"
    assert not fault_server.requests  # a saved session is shown as it was, not analysed again
    assert app.sessions.session_path == crashed


def test_an_interrupted_replay_is_not_called_a_crashed_recording(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    write_crashed_session(paths.sessions_dir(), mode="replay")
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    asked = []
    offer_unfinished(
        lambda title, text, answer: asked.append(text) or answer(False),
        *unfinished(paths.sessions_dir()),
        app.controller,
        app.window.messages,
    )
    assert asked and "during a replay" in asked[0] and "recording" not in asked[0]


def test_declining_unfinished_sessions_leaves_them(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    crashed = write_crashed_session(paths.sessions_dir())
    before = crashed.read_bytes()
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    offer_unfinished(
        lambda title, text, answer: answer(False),
        *unfinished(paths.sessions_dir()),
        app.controller,
        app.window.messages,
    )
    assert crashed.read_bytes() == before
    assert "left as they are" in app.window.messages.history[-1].text


def test_export_from_the_window(qtbot, make_app, fault_server: FaultServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    app.window.speed_combo.setCurrentIndex(app.window.speed_combo.findData(0.0))
    app.window.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: app.window.active, timeout=5000)
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    out = tmp_path / "interview.md"
    app.window.export_requested.emit(str(out), "md")
    history = app.window.messages.history  # the file is written (in a thread) before the message is posted
    qtbot.waitUntil(lambda: out.exists() and bool(history) and history[-1].text.startswith("Exported"), timeout=10000)
    text = out.read_text(encoding="utf-8")
    assert "eighteen months ago" in text


def test_quitting_during_a_session_stops_it_then_closes(qtbot, make_app, fault_server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    app.window.open_requested.emit(str(DATA / "backend-lead.txt"))  # real time: still running when we quit
    qtbot.waitUntil(lambda: app.window.transcript_model.rowCount() >= 1, timeout=10000)
    with qtbot.waitSignal(app.window.closed, timeout=30000):
        app.window.close()  # asks (the test's confirm says yes), stops, then closes
    assert not app.sessions.active
    records = [json.loads(line) for line in app.sessions.session_path.read_text().splitlines()]
    assert records[-1]["type"] == "end"
    assert 1 <= sum(r["type"] == "chunk" for r in records) < 20


def test_model_loading_is_shown_and_a_bad_model_is_one_sentence(qtbot, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=()))
    app.sessions.model.name = "/nonexistent/whisper-model"
    states = []
    app.bridge.event.connect(pairs(lambda kind, data: states.append(app.window.status.state.text())))
    app.bridge.run(app.sessions.model.load(), what="Loading the transcription model")
    qtbot.waitUntil(lambda: bool(app.window.messages.history), timeout=10000)
    assert "Loading transcription model…" in states
    [msg] = app.window.messages.history
    assert msg.text == "Model directory /nonexistent/whisper-model does not exist."


def test_a_second_press_while_starting_does_nothing(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    app.window.open_requested.emit(str(DATA / "backend-lead.txt"))
    app.window.open_requested.emit(str(DATA / "backend-lead.txt"))  # before the first has started
    qtbot.waitUntil(lambda: app.window.transcript_model.rowCount() >= 1, timeout=10000)
    assert len(list(sessions_dir.glob("*.jsonl"))) == 1
    assert not app.window.messages.history


def test_file_open_starts_in_the_sessions_folder(qtbot, make_app, sessions_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    app = make_app(Config(providers=()))
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        staticmethod(lambda _parent, _title, start, _filter: asked.append(start) or ("", "")),
    )
    app.window.act_open.trigger()
    assert asked == [str(sessions_dir)]


def test_open_recent_lists_the_newest_sessions_and_opens_one(
    qtbot, make_app, fault_server: FaultServer, sessions_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    write_crashed_session(sessions_dir)  # an old, unfinished one
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    menu = app.window.recent_menu
    qtbot.waitUntil(lambda: [a.text() for a in menu.actions()] == ["&1 2026-11-25 10:00:00 (unfinished)"])
    app.window.speed_combo.setCurrentIndex(app.window.speed_combo.findData(0.0))
    app.window.open_requested.emit(str(DATA / "backend-lead.txt"))
    qtbot.waitUntil(lambda: app.window.active, timeout=5000)
    assert not menu.isEnabled()  # no second session while one runs
    qtbot.waitUntil(lambda: not app.sessions.active, timeout=30000)
    journal = app.sessions.session_path
    # the listing asked for as the session started shows it "(unfinished)"; the one asked for
    # when it closed replaces it
    qtbot.waitUntil(
        lambda: len(menu.actions()) == 2 and menu.isEnabled() and "unfinished" not in menu.actions()[0].text(),
        timeout=10000,
    )
    newest = menu.actions()[0]
    assert newest.toolTip() == str(journal) and menu.actions()[1].text().endswith("(unfinished)")
    with qtbot.waitSignal(app.window.open_requested) as sig:
        newest.trigger()
    assert sig.args == [str(journal)]


def test_a_stale_listing_never_replaces_a_newer_one(qtbot, make_app, sessions_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two listings in flight (one asked as a session starts, one as it closes) can finish out of
    order; the older answer must not bring back "(unfinished)" for a session now closed."""
    import threading

    from annotator.ui import session_controller

    app = make_app(Config())
    qtbot.waitUntil(lambda: not app.bridge.pending())
    release_first = threading.Event()
    calls = []

    def listing(directory: Path, limit: int = 8) -> list[tuple[Path, str]]:
        calls.append(directory)
        if len(calls) == 1:  # the older listing: held until the newer one has answered
            release_first.wait(10)
            return [(directory / "a.jsonl", "old (unfinished)")]
        return [(directory / "a.jsonl", "new")]

    monkeypatch.setattr(session_controller, "recent_sessions", listing)
    menu = app.window.recent_menu
    app.controller.refresh_recent()
    qtbot.waitUntil(lambda: len(calls) == 1)
    app.controller.refresh_recent()
    qtbot.waitUntil(lambda: [a.text() for a in menu.actions()] == ["&1 new"])
    release_first.set()
    qtbot.waitUntil(lambda: not app.bridge.pending())
    assert [a.text() for a in menu.actions()] == ["&1 new"]


def test_the_session_pushes_the_chain_state_and_the_dots_show_it(
    qtbot, make_app, fault_server: FaultServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Config(providers=(fault_server.provider("fast"),)))
    pushed: list[tuple[object, ...]] = []
    app.bridge.event.connect(
        pairs(lambda kind, data: pushed.append(tuple(data["states"])) if kind == "providers" else None)
    )
    transcript = tmp_path / "t.txt"
    transcript.write_text("Candidate: I am really proud of the team, it was a great year.\n", encoding="utf-8")
    app.window.set_speed(0.0)
    app.window.open_requested.emit(str(transcript))
    qtbot.waitUntil(lambda: any(s.last is not None for states in pushed for s in states), timeout=10000)  # type: ignore[attr-defined]
    assert pushed[0][0].last is None  # type: ignore[attr-defined]  # as the session starts: not used yet
    assert "fast answered" in app.window.status.providers.tip("fast")
