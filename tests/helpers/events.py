"""Session events for tests: built from today's (kind, data) shape, and read back as it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annotator.sessions.events import EVENTS, Backlog, Event, TranscriptionBacklog

BY_KIND: dict[str, type[Event]] = {cls.kind: cls for cls in EVENTS if cls is not TranscriptionBacklog}


def event(kind: str, data: dict[str, Any] | None = None) -> Event:
    """The event of ``kind`` with ``data`` (in to_dict()'s keys)."""
    data = dict(data or {})
    cls = TranscriptionBacklog if kind == "backlog" and "seconds" in data else BY_KIND.get(kind, Backlog)
    names = {v: k for k, v in cls.KEYS.items()}
    fields = {names.get(k, k): tuple(v) if k == "devices" else v for k, v in data.items()}
    return cls(**fields)


def pairs(fn: Callable[[str, dict[str, Any]], object]) -> Callable[[Event], None]:
    """A slot for ``Bridge.event`` that calls ``fn(kind, data)``."""

    def slot(e: Event) -> None:
        fn(e.kind, e.to_dict())

    return slot
