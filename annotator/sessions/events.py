"""What a session tells its sinks besides lines, analyses, marks and errors: one frozen
dataclass per kind of event (issue 12). Stdlib only.

Each event has its ``kind`` (the name the journal and ``annotator listen --json`` write)
and ``to_dict()``, the ``data`` they write: a field left at ``None`` where it is optional
is left out, as it always was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """An event of ``kind``; ``to_dict()`` is its data, in field order."""

    kind: ClassVar[str] = ""
    KEYS: ClassVar[dict[str, str]] = {}  # a field written under another name ("from" is a keyword)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.default is None:
                continue
            out[self.KEYS.get(f.name, f.name)] = list(value) if isinstance(value, tuple) and f.name in LISTS else value
        return out


LISTS = frozenset({"devices", "vocabulary"})  # written as JSON lists, compared as lists


@dataclass(frozen=True)
class SessionStarted(Event):
    """A session's journal: a new one, or a saved one being opened or replayed."""

    kind: ClassVar[str] = "session"
    path: str = ""


@dataclass(frozen=True)
class SessionClosed(Event):
    kind: ClassVar[str] = "session_closed"
    path: str = ""


@dataclass(frozen=True)
class Opened(Event):
    """A saved session was shown at once."""

    kind: ClassVar[str] = "opened"
    path: str = ""
    chunks: int = 0
    analyses: int = 0
    marks: int = 0
    vocabulary: tuple[str, ...] | None = None  # the terms it listened for (its header's; None: none)


@dataclass(frozen=True)
class ReviewShown(Event):
    """A saved session's latest review; ``run`` is a ``sessions.review.ReviewRun``."""

    kind: ClassVar[str] = "review"
    run: Any = None


@dataclass(frozen=True)
class ReplayStarted(Event):
    kind: ClassVar[str] = "replay_started"
    path: str = ""
    total: int | None = None


@dataclass(frozen=True)
class ReplayProgress(Event):
    kind: ClassVar[str] = "replay_progress"
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class Recording(Event):
    """``devices``: each input opened, as ``{"device": ..., "source": ...}``."""

    kind: ClassVar[str] = "recording"
    devices: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Stopped(Event):
    kind: ClassVar[str] = "stopped"
    chunks: int = 0
    analyses: int = 0


@dataclass(frozen=True)
class Paused(Event):
    kind: ClassVar[str] = "paused"


@dataclass(frozen=True)
class Resumed(Event):
    kind: ClassVar[str] = "resumed"


@dataclass(frozen=True)
class ModelLoading(Event):
    kind: ClassVar[str] = "model_loading"
    model: str = ""


@dataclass(frozen=True)
class ModelReady(Event):
    kind: ClassVar[str] = "model_ready"
    model: str = ""


@dataclass(frozen=True)
class Providers(Event):
    """The analysis chain's state; ``states`` are ``analysis.status.ProviderStatus``."""

    kind: ClassVar[str] = "providers"
    states: Sequence[Any] = ()


@dataclass(frozen=True)
class AnalysisHeld(Event):
    """Every provider waits out a rate limit; ``provider``: the one a file waits for."""

    kind: ClassVar[str] = "analysis_held"
    chunks: int = 0
    seconds: float = 0.0
    provider: str | None = None


@dataclass(frozen=True)
class AnalysisReleased(Event):
    kind: ClassVar[str] = "analysis_released"
    chunks: int = 0


@dataclass(frozen=True)
class Unanalysed(Event):
    """A session ended with lines no provider answered, from ``first`` to ``last`` seconds."""

    kind: ClassVar[str] = "unanalysed"
    KEYS: ClassVar[dict[str, str]] = {"first": "from", "last": "to"}
    chunks: int = 0
    total: int = 0
    first: float = 0.0
    last: float = 0.0
    sentence: str = ""


@dataclass(frozen=True)
class Backlog(Event):
    """Analysis fell behind and left chunks out."""

    kind: ClassVar[str] = "backlog"
    left_unanalysed: int = 0
    total_unanalysed: int = 0
    waiting: int = 0


@dataclass(frozen=True)
class TranscriptionBacklog(Event):
    """Transcription runs ``seconds`` behind the audio (written as a "backlog" too)."""

    kind: ClassVar[str] = "backlog"
    seconds: float = 0.0


@dataclass(frozen=True)
class SpeakerNamed(Event):
    """The user named speaker ``id`` (``S1``) ``name`` ("" takes the name back). The journal
    writes it as its own ``speaker`` record (``models.SpeakerName``), not as an event."""

    kind: ClassVar[str] = "speaker"
    id: str = ""
    name: str = ""


@dataclass(frozen=True)
class PartialText(Event):
    """Provisional text of an utterance still being spoken (or whose end is not confirmed):
    shown, replaced by the chunk that follows, never journaled and never analysed.
    ``speaker`` is left out until a speaker is known."""

    kind: ClassVar[str] = "partial"
    source: str = ""
    start: float = 0.0
    text: str = ""
    speaker: str | None = None


EVENTS: tuple[type[Event], ...] = (
    SessionStarted,
    SessionClosed,
    Opened,
    ReviewShown,
    ReplayStarted,
    ReplayProgress,
    Recording,
    Stopped,
    Paused,
    Resumed,
    ModelLoading,
    ModelReady,
    Providers,
    AnalysisHeld,
    AnalysisReleased,
    Unanalysed,
    Backlog,
    TranscriptionBacklog,
    SpeakerNamed,
    PartialText,
)
