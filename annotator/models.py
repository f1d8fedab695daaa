"""The domain: frozen value objects shared by every layer.

Nothing here does I/O. Each record type converts to and from a plain dict
(``to_dict`` / ``from_dict``) so the journal, ``--json`` output and the
exporters share one shape.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

SENTIMENT_LABELS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Chunk:
    """One utterance (live) or one line/cue (transcript) of what was said.

    ``source`` is who said it as far as we know: "You" / "Them" for the two
    live inputs, the ``Speaker:`` prefix or ``<v Name>`` of a transcript, or
    "" when unknown. ``start`` and ``end`` are seconds from the session start.
    ``speaker`` is a stable id within the session (``S1``, ``S2``, ...) from
    speaker separation, "" when not known; it is written only when known, so
    journals and lines from before speaker separation read as they did.
    ``speaker_name`` is the name the user gave that id ("Candidate"), "" until
    named; ``who`` is what to show for the speaker.
    """

    id: int
    source: str
    start: float
    end: float
    text: str
    speaker: str = ""
    speaker_name: str = ""

    @property
    def who(self) -> str:
        """The speaker as shown: the name given, else the id (``S1``), else the source ("You")."""
        return self.speaker_name or self.speaker or self.source

    @property
    def label(self) -> str:
        """The speaker as the analysis reads it: the name given, else the id with its input
        ("S2 (You)"), else the input; "" when nothing is known."""
        if self.speaker_name:
            return self.speaker_name
        if self.speaker:
            return f"{self.speaker} ({self.source})" if self.source else self.speaker
        return self.source

    def named(self, names: dict[str, str]) -> Chunk:
        """This chunk with its speaker's name from ``names`` (id -> name; a missing or empty name: unnamed)."""
        name = names.get(self.speaker, "") if self.speaker else ""
        return self if name == self.speaker_name else replace(self, speaker_name=name)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
        }
        if self.speaker:
            d["speaker"] = self.speaker
        if self.speaker_name:
            d["speaker_name"] = self.speaker_name
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(
            id=int(d["id"]),
            source=str(d.get("source", "")),
            start=float(d.get("start", 0.0)),
            end=float(d.get("end", 0.0)),
            text=str(d["text"]),
            speaker=str(d.get("speaker", "")),
            speaker_name=str(d.get("speaker_name", "")),
        )


@dataclass(frozen=True)
class SpeakerName:
    """The user named speaker ``id`` (``S1``) ``name`` ("Candidate"); an empty name takes the name back.

    Journaled as a ``speaker`` record; the last one for an id holds.
    """

    id: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeakerName:
        return cls(id=str(d["id"]), name=str(d.get("name", "")))


def speaker_names(
    renames: tuple[SpeakerName, ...] | list[SpeakerName], chunks: tuple[Chunk, ...] | list[Chunk] = ()
) -> dict[str, str]:
    """id -> name: the names ``chunks`` carry (a session replayed from a named one), then every
    rename in order (an id renamed to "" is dropped)."""
    names = {c.speaker: c.speaker_name for c in chunks if c.speaker and c.speaker_name}
    for r in renames:
        if r.name:
            names[r.id] = r.name
        else:
            names.pop(r.id, None)
    return names


@dataclass(frozen=True)
class Sentiment:
    label: str  # one of SENTIMENT_LABELS
    score: float  # -1.0 (negative) .. 1.0 (positive)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": self.score}


def cited_chunk(cited: str) -> int | None:
    """The chunk id a cited line id names (``"L57"``, ``"l57"``, ``"[L57]"``, ``"57"``), else None."""
    text = cited.strip().lstrip("[#").rstrip("]").strip()
    text = text[1:] if text[:1] in ("L", "l") else text
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class Contradiction:
    """A statement that conflicts with an earlier one (DESIGN.md).

    ``earlier_id`` (optional, "" when absent) is the id of the earlier
    statement the prompt quoted (``L<chunk id>``): the window selects that
    line and exports quote it with its time. ``follow_up`` (optional) is one
    neutral question the interviewer could ask to clear it up. Both are
    written only when present, so journals from before read as they did.
    """

    statement: str  # what was just said
    earlier: str  # what it conflicts with
    explanation: str  # one sentence
    earlier_id: str = ""
    follow_up: str = ""

    @property
    def earlier_chunk(self) -> int | None:
        """The chunk id ``earlier_id`` names (``"L57"`` -> 57), else None."""
        return cited_chunk(self.earlier_id)

    def to_dict(self) -> dict[str, Any]:
        d = {"statement": self.statement, "earlier": self.earlier, "explanation": self.explanation}
        if self.earlier_id:
            d["earlier_id"] = self.earlier_id
        if self.follow_up:
            d["follow_up"] = self.follow_up
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Contradiction:
        return cls(
            str(d["statement"]),
            str(d["earlier"]),
            str(d.get("explanation", "")),
            str(d.get("earlier_id", "") or ""),
            str(d.get("follow_up", "") or ""),
        )


@dataclass(frozen=True)
class Insight:
    """The JSON object a provider returns for one request (see DESIGN.md)."""

    sentiment: Sentiment
    contradictions: tuple[Contradiction, ...] = ()
    claims: tuple[str, ...] = ()
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentiment": self.sentiment.to_dict(),
            "contradictions": [c.to_dict() for c in self.contradictions],
            "claims": list(self.claims),
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Insight:
        """Rebuild an insight we wrote ourselves (journal). Provider replies go
        through ``annotator.analysis.insight.parse_insight`` instead."""
        s = d["sentiment"]
        return cls(
            sentiment=Sentiment(str(s["label"]), float(s["score"])),
            contradictions=tuple(Contradiction.from_dict(c) for c in d.get("contradictions", ())),
            claims=tuple(str(c) for c in d.get("claims", ())),
            summary=str(d.get("summary", "")),
        )


class Outcome(str, enum.Enum):
    """How one provider attempt ended."""

    OK = "ok"
    CONNECT_ERROR = "connect_error"  # refused, reset, DNS, TLS
    TIMEOUT = "timeout"  # connect / first token / total limit
    STALLED = "stalled"  # silence between streamed pieces
    HTTP_ERROR = "http_error"  # 408/409/5xx/529 and other failover statuses
    RATE_LIMITED = "rate_limited"  # 429
    MISCONFIGURED = "misconfigured"  # 401/403/404: skipped for the session
    CUT = "cut"  # stream ended before its end marker / truncated reply
    MALFORMED = "malformed"  # a stream event we cannot parse
    INVALID_REPLY = "invalid_reply"  # complete reply, but not a valid insight
    SKIPPED = "skipped"  # not called: misconfigured earlier, or Retry-After pending
    DEADLINE = "deadline"  # the chain's overall deadline ran out


@dataclass(frozen=True)
class Attempt:
    """One call (or deliberate skip) of one provider for one request."""

    provider: str
    model: str
    outcome: Outcome
    status: int | None = None  # HTTP status, when one was received
    elapsed_ms: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    detail: str = ""  # a readable reason, e.g. "no first token within 5.0 s"

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "outcome": self.outcome.value,
            "status": self.status,
            "elapsed_ms": self.elapsed_ms,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 8),
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Attempt:
        return cls(
            provider=str(d["provider"]),
            model=str(d.get("model", "")),
            outcome=Outcome(d["outcome"]),
            status=None if d.get("status") is None else int(d["status"]),
            elapsed_ms=int(d.get("elapsed_ms", 0)),
            input_tokens=int(d.get("input_tokens", 0)),
            output_tokens=int(d.get("output_tokens", 0)),
            cost_usd=float(d.get("cost_usd", 0.0)),
            detail=str(d.get("detail", "")),
        )


LOCAL_PROVIDER = "local-sentiment"
"""The name under which the local (lexicon) sentiment estimate answers."""


@dataclass(frozen=True)
class Analysis:
    """The result of one analysis request: the chunks sent and what came back.

    ``insight`` is None when every provider failed and no local estimate was
    made. ``provider`` is ``LOCAL_PROVIDER`` when the local estimate answered.
    """

    chunk_ids: tuple[int, ...]
    text: str
    insight: Insight | None
    provider: str | None
    model: str | None
    attempts: tuple[Attempt, ...] = ()
    elapsed_ms: int = 0
    parts: int = 1  # requests the text was split into to fit the token budget

    @property
    def local(self) -> bool:
        return self.provider == LOCAL_PROVIDER

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_ids": list(self.chunk_ids),
            "text": self.text,
            "provider": self.provider,
            "model": self.model,
            "insight": None if self.insight is None else self.insight.to_dict(),
            "attempts": [a.to_dict() for a in self.attempts],
            "elapsed_ms": self.elapsed_ms,
            "parts": self.parts,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Analysis:
        ins = d.get("insight")
        return cls(
            chunk_ids=tuple(int(i) for i in d.get("chunk_ids", ())),
            text=str(d.get("text", "")),
            insight=None if ins is None else Insight.from_dict(ins),
            provider=d.get("provider"),
            model=d.get("model"),
            attempts=tuple(Attempt.from_dict(a) for a in d.get("attempts", ())),
            elapsed_ms=int(d.get("elapsed_ms", 0)),
            parts=int(d.get("parts", 1)),
        )


@dataclass(frozen=True)
class Mark:
    """A moment the user marked: a bookmark, or a manual flag with a note."""

    at: float  # seconds from session start
    kind: str = "bookmark"  # "bookmark" | "flag"
    note: str = ""
    chunk_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"at": round(self.at, 3), "kind": self.kind, "note": self.note, "chunk_id": self.chunk_id}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Mark:
        cid = d.get("chunk_id")
        return cls(
            at=float(d.get("at", 0.0)),
            kind=str(d.get("kind", "bookmark")),
            note=str(d.get("note", "")),
            chunk_id=None if cid is None else int(cid),
        )


@dataclass(frozen=True)
class Correction:
    """The user's correction of a transcript line (a misheard word): the line's new text.
    ``original`` is what the transcriber wrote (filled in when a journal is read back)."""

    chunk_id: int
    text: str
    original: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"chunk_id": self.chunk_id, "text": self.text}
        if self.original:
            d["original"] = self.original
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Correction:
        return cls(chunk_id=int(d["chunk_id"]), text=str(d["text"]), original=str(d.get("original", "")))


@dataclass(frozen=True)
class Utterance:
    """A span of 16 kHz mono float32 audio the segmenter judged to be speech.

    ``audio`` is a numpy array; typed loosely so this module stays stdlib-only.
    """

    source: str
    start: float
    end: float
    audio: Any = field(repr=False, compare=False)
