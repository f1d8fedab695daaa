"""What the window is running, and the status-bar state each session event shows (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from annotator.sessions.events import (
    Event,
    ModelLoading,
    ModelReady,
    Opened,
    Paused,
    Recording,
    ReplayProgress,
    ReplayStarted,
    Resumed,
    Stopped,
)
from annotator.ui.format import opened_state, recording_state


@dataclass(frozen=True)
class RunState:
    """A recording or replay is running (``active``), it is a replay, it is paused."""

    active: bool = False
    replaying: bool = False
    paused: bool = False


IDLE = RunState()
LOADING = recording_state(ModelLoading())


def after_event(run: RunState, event: Event, shown: str, flags: int) -> tuple[RunState, str | None]:
    """The run state after ``event``, and the state text to show (None: the shown one stays).
    ``shown``: the state text on screen; ``flags``: how many flag cards are on screen."""
    state = recording_state(event)
    match event:
        case ModelLoading() | ModelReady():
            # the model loads in the background: a session's state stays, and "ready" only ends "loading"
            return run, None if run.active or (isinstance(event, ModelReady) and shown != LOADING) else state
        case Recording():
            return RunState(active=True), state
        case ReplayProgress():
            return replace(run, active=True, replaying=True), None if run.paused else state
        case ReplayStarted():
            return RunState(active=True, replaying=True), "▶ Replaying"
        case Paused():
            return replace(run, paused=True), "Paused"
        case Resumed():
            return replace(run, paused=False), "▶ Replaying" if run.replaying else "● Recording"
        case Stopped():
            return IDLE, state
        case Opened():  # a saved session, shown at once
            return IDLE, opened_state(event, flags)
    return run, state
