"""Each session event writes exactly the data its string kind carried before (issue 12):
the journal and `annotator listen --json` stay byte-identical."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from annotator.sessions.events import (
    EVENTS,
    AnalysisHeld,
    AnalysisReleased,
    Backlog,
    Event,
    ModelLoading,
    ModelReady,
    Opened,
    PartialText,
    Paused,
    Providers,
    Recording,
    ReplayProgress,
    ReplayStarted,
    Resumed,
    ReviewShown,
    SessionClosed,
    SessionStarted,
    SpeakerNamed,
    Stopped,
    TranscriptionBacklog,
    Unanalysed,
)

RUN = object()  # a ReviewRun passes through as it is

TODAY: list[tuple[Event, str, dict[str, Any]]] = [
    (SessionStarted("/s/a.jsonl"), "session", {"path": "/s/a.jsonl"}),
    (SessionClosed("/s/a.jsonl"), "session_closed", {"path": "/s/a.jsonl"}),
    (Opened("/s/a.jsonl", 20, 19, 2), "opened", {"path": "/s/a.jsonl", "chunks": 20, "analyses": 19, "marks": 2}),
    (ReviewShown(RUN), "review", {"run": RUN}),
    (ReplayStarted("/t.txt"), "replay_started", {"path": "/t.txt"}),
    (ReplayStarted("/t.txt", 9), "replay_started", {"path": "/t.txt", "total": 9}),
    (ReplayProgress(3, 9), "replay_progress", {"done": 3, "total": 9}),
    (
        Recording(({"device": "default", "source": "Them"},)),
        "recording",
        {"devices": [{"device": "default", "source": "Them"}]},
    ),
    (Stopped(12, 11), "stopped", {"chunks": 12, "analyses": 11}),
    (Paused(), "paused", {}),
    (Resumed(), "resumed", {}),
    (ModelLoading("tiny.en (bundled)"), "model_loading", {"model": "tiny.en (bundled)"}),
    (ModelReady("small.en"), "model_ready", {"model": "small.en"}),
    (Providers(()), "providers", {"states": ()}),
    (AnalysisHeld(3, 1.6), "analysis_held", {"chunks": 3, "seconds": 1.6}),
    (AnalysisHeld(1, 2.0, "groq"), "analysis_held", {"chunks": 1, "seconds": 2.0, "provider": "groq"}),
    (AnalysisReleased(3), "analysis_released", {"chunks": 3}),
    (
        Unanalysed(2, 9, 5.0, 14.0, "2 of 9 lines were not analysed"),
        "unanalysed",
        {"chunks": 2, "total": 9, "from": 5.0, "to": 14.0, "sentence": "2 of 9 lines were not analysed"},
    ),
    (Backlog(3, 5, 40), "backlog", {"left_unanalysed": 3, "total_unanalysed": 5, "waiting": 40}),
    (TranscriptionBacklog(4.2), "backlog", {"seconds": 4.2}),
    (SpeakerNamed("S2", "Candidate"), "speaker", {"id": "S2", "name": "Candidate"}),
    (PartialText("You", 3.2, "ask not"), "partial", {"source": "You", "start": 3.2, "text": "ask not"}),
    (
        PartialText("Them", 1.0, "so", "S2"),
        "partial",
        {"source": "Them", "start": 1.0, "text": "so", "speaker": "S2"},
    ),
]


@pytest.mark.parametrize(
    ("event", "kind", "data"), TODAY, ids=[type(e).__name__ + "-" + str(i) for i, (e, _, _) in enumerate(TODAY)]
)
def test_an_event_gives_todays_kind_and_data(event: Event, kind: str, data: dict[str, Any]) -> None:
    assert event.kind == kind
    assert event.to_dict() == data
    assert list(event.to_dict()) == list(data)  # the keys in today's order: the JSON is byte-identical
    if kind != "review":
        assert json.dumps(event.to_dict()) == json.dumps(data)


def test_every_event_class_is_covered_and_frozen() -> None:
    assert {type(e) for e, _, _ in TODAY} == set(EVENTS)
    with pytest.raises(FrozenInstanceError):
        Stopped(1, 1).chunks = 2  # type: ignore[misc]
