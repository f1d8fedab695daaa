"""What the window is running and the state text each event shows (no Qt)."""

from __future__ import annotations

from annotator.ui.run_state import IDLE, LOADING, RunState, after_event
from tests.helpers.events import event


def test_a_replay_paused_resumed_and_stopped() -> None:
    run, state = after_event(IDLE, event("replay_started", {}), "Idle", 0)
    assert run == RunState(active=True, replaying=True) and state == "▶ Replaying"
    run, state = after_event(run, event("replay_progress", {"done": 3, "total": 9}), state, 0)
    assert state == "▶ Replaying 3/9"
    run, state = after_event(run, event("paused", {}), state, 0)
    assert run.paused and state == "Paused"
    run, state = after_event(run, event("replay_progress", {"done": 4, "total": 9}), state, 0)
    assert run.paused and state is None  # "Paused" stays
    run, state = after_event(run, event("resumed", {}), "Paused", 0)
    assert not run.paused and state == "▶ Replaying"
    assert after_event(run, event("stopped", {}), state, 0) == (IDLE, "Stopped")


def test_the_model_loading_in_the_background_leaves_a_session_state_alone() -> None:
    recording, state = after_event(IDLE, event("recording", {}), "Idle", 0)
    assert recording == RunState(active=True) and state == "● Recording"
    assert after_event(recording, event("model_ready", {}), "● Recording", 0) == (recording, None)
    assert after_event(IDLE, event("model_loading", {}), "Idle", 0) == (IDLE, LOADING)
    assert after_event(IDLE, event("model_ready", {}), LOADING, 0) == (IDLE, "Model ready")
    assert after_event(IDLE, event("model_ready", {}), "Saved session: 2 lines, 0 flags", 0) == (IDLE, None)


def test_a_saved_session_shown_counts_its_lines_and_flags() -> None:
    assert after_event(IDLE, event("opened", {"chunks": 20}), "Idle", 2) == (IDLE, "Saved session: 20 lines, 2 flags")
    assert after_event(IDLE, event("providers", {"states": ()}), "Idle", 0) == (IDLE, None)
