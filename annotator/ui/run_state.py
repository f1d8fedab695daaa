"""What the window is running, and the status-bar state each session event shows (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from annotator.ui.format import opened_state, recording_state


@dataclass(frozen=True)
class RunState:
    """A recording or replay is running (``active``), it is a replay, it is paused."""

    active: bool = False
    replaying: bool = False
    paused: bool = False


IDLE = RunState()
LOADING = recording_state("model_loading", {})


def after_event(run: RunState, kind: str, data: dict[str, Any], shown: str, flags: int) -> tuple[RunState, str | None]:
    """The run state after event ``kind``, and the state text to show (None: the shown one stays).
    ``shown``: the state text on screen; ``flags``: how many flag cards are on screen."""
    state = recording_state(kind, data)
    if kind in ("model_loading", "model_ready"):
        # the model loads in the background: a session's state stays, and "ready" only ends "loading"
        return run, None if run.active or (kind == "model_ready" and shown != LOADING) else state
    if kind == "recording":
        return RunState(active=True), state
    if kind == "replay_progress":
        return replace(run, active=True, replaying=True), None if run.paused else state
    if kind == "replay_started":
        return RunState(active=True, replaying=True), "▶ Replaying"
    if kind == "paused":
        return replace(run, paused=True), "Paused"
    if kind == "resumed":
        return replace(run, paused=False), "▶ Replaying" if run.replaying else "● Recording"
    if kind == "stopped":
        return IDLE, state
    if kind == "opened":  # a saved session, shown at once
        return IDLE, opened_state(data, flags)
    return run, state
