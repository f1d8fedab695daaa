"""Pure helpers that turn domain values into the short strings the window shows.

Nothing here imports Qt, so every rule about what the user reads is tested
without a display (``tests/ui/test_format.py``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from annotator.analysis.advice import all_failed_advice
from annotator.analysis.usage import ProviderUsage
from annotator.models import Analysis, Attempt, Outcome
from annotator.sessions.events import (
    AnalysisHeld,
    Backlog,
    Event,
    ModelLoading,
    ModelReady,
    Opened,
    Recording,
    ReplayProgress,
    Stopped,
    TranscriptionBacklog,
    Unanalysed,
)
from annotator.text.money import cost

SENTIMENT_COLORS = {"positive": "#2e9d5b", "neutral": "#8a8f98", "negative": "#d0453a"}
UNAVAILABLE_COLOR = "#b0b4ba"

OUTCOME_WORDS = {
    Outcome.OK: "answered",
    Outcome.CONNECT_ERROR: "could not connect",
    Outcome.TIMEOUT: "timed out",
    Outcome.STALLED: "went silent mid-answer",
    Outcome.HTTP_ERROR: "returned an error",
    Outcome.RATE_LIMITED: "is rate-limited",
    Outcome.MISCONFIGURED: "is misconfigured",
    Outcome.CUT: "cut its answer short",
    Outcome.MALFORMED: "sent a malformed stream",
    Outcome.INVALID_REPLY: "did not return a valid insight",
    Outcome.SKIPPED: "was skipped",
    Outcome.DEADLINE: "ran out of time",
}

LISTENING = "Listening… Each utterance appears here a moment after it ends (at a pause in the speech)."
REPLAYING = "Replaying… The lines appear here as they are read or transcribed."
NOTHING_TO_EXPORT = "There is no session to export yet: record or replay something first."


def signed_score(score: float) -> str:
    """``0.25`` -> ``"+0.25"``, ``-0.6`` -> ``"−0.60"`` (a real minus sign)."""
    if abs(score) < 0.005:
        return "0.00"
    return f"+{score:.2f}" if score > 0 else f"\u2212{abs(score):.2f}"


def duration(ms: int) -> str:
    """``840`` -> ``"840 ms"``, ``2300`` -> ``"2.3 s"``."""
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def tokens(n: int) -> str:
    return f"{n:,} tokens"


def attempt_reason(attempt: Attempt) -> str:
    """One readable line for one attempt: ``"kimi timed out (no first token within 5.0 s)"``."""
    words = OUTCOME_WORDS.get(attempt.outcome, attempt.outcome.value)
    status = f" HTTP {attempt.status}" if attempt.status is not None and not attempt.ok else ""
    detail = f": {attempt.detail}" if attempt.detail else ""
    took = (
        f" after {duration(attempt.elapsed_ms)}"
        if attempt.elapsed_ms and attempt.outcome is not Outcome.SKIPPED
        else ""
    )
    return f"{attempt.provider} {words}{status}{took}{detail}"


def failed_reasons(analysis: Analysis) -> list[str]:
    """The reason of every failed provider attempt of one request, in order."""
    return [attempt_reason(a) for a in analysis.attempts if not a.ok]


def answered_by(analysis: Analysis) -> str:
    """Status-bar text for who answered a request, e.g. ``"kimi · kimi-k2 · 840 ms"``."""
    if analysis.provider is None or analysis.insight is None:
        return "analysis unavailable"
    if analysis.local:
        return "local sentiment estimate only"
    ms = next(
        (a.elapsed_ms for a in analysis.attempts if a.ok and a.provider == analysis.provider), analysis.elapsed_ms
    )
    model = f" · {analysis.model}" if analysis.model else ""
    return f"{analysis.provider}{model} · {duration(ms)}"


@dataclass(frozen=True)
class ChunkMood:
    """What the transcript's sentiment column shows for one chunk."""

    text: str  # short cell text: "+0.40", "local −0.30", "unavailable"
    color: str  # hex colour of the marker
    tooltip: str  # the longer explanation
    unavailable: bool  # every remote provider failed


def chunk_mood(analysis: Analysis) -> ChunkMood:
    """The sentiment marker for the chunks of one analysis."""
    reasons = failed_reasons(analysis)
    if analysis.insight is None:
        why = "\n".join(reasons) or "no provider is configured"
        return ChunkMood("unavailable", UNAVAILABLE_COLOR, f"Analysis unavailable.\n{why}", True)
    s = analysis.insight.sentiment
    color = SENTIMENT_COLORS.get(s.label, UNAVAILABLE_COLOR)
    if analysis.local:
        head = (
            "Analysis unavailable; local sentiment estimate shown."
            if reasons
            else "Local sentiment estimate (no provider answered)."
        )
        why = "\n".join(reasons)
        tip = f"{head}\n{s.label} {signed_score(s.score)}" + (f"\n{why}" if why else "")
        return ChunkMood(f"local {signed_score(s.score)}", color, tip, True)
    tip = f"{s.label} {signed_score(s.score)} by {answered_by(analysis)}"
    if analysis.insight.summary:
        tip += f"\n{analysis.insight.summary}"
    return ChunkMood(signed_score(s.score), color, tip, False)


def outcome_color(outcome: Outcome | None) -> str:
    """Colour of a provider's status dot: green ok, amber transient, red misconfigured, grey unused."""
    if outcome is None or outcome is Outcome.SKIPPED:
        return "#9aa0a6"
    if outcome is Outcome.OK:
        return "#2e9d5b"
    if outcome is Outcome.MISCONFIGURED:
        return "#d0453a"
    return "#e0a030"


def usage_text(usage: ProviderUsage) -> str:
    """The status bar's running total: "1.2k tokens · $0.0012"."""
    return f"{tokens(usage.input_tokens + usage.output_tokens)} · {cost(usage.cost_usd)}"


def misconfigured_warning(attempt: Attempt) -> str:
    """The message shown once when a provider is found misconfigured."""
    status = f" (HTTP {attempt.status})" if attempt.status is not None else ""
    detail = f": {attempt.detail}" if attempt.detail else ""
    return (
        f"Provider {attempt.provider} is misconfigured{status}{detail}. It is skipped for the rest of this "
        f"session; open Settings > Providers to fix its key, base URL or model."
    )


def all_failed_warning(analysis: Analysis) -> str:
    """The one sentence shown when no remote provider answered a request: what to do.
    Each provider's reason is in ``all_failed_details`` (shown on hover)."""
    shown = "a local sentiment estimate is shown" if analysis.local else "the transcript goes on"
    return f"Analysis unavailable for the last chunk ({shown}): {all_failed_advice(analysis.attempts)}."


def all_failed_details(analysis: Analysis) -> str:
    """Each failed provider's reason, one a line, for the message's tooltip."""
    return "\n".join(failed_reasons(analysis)) or "no provider is configured"


NO_PROVIDER_HINT = (
    "No analysis provider has a key yet, so only the local sentiment estimate runs. "
    "To get contradiction flags, open Settings (Ctrl+,), add a provider and enter its key."
)


def recording_state(event: Event) -> str | None:
    """Status-bar state text for a session event, or None if the event does not change it."""
    match event:
        case ModelLoading():
            return "Loading transcription model…"
        case ModelReady():
            return "Model ready"
        case Recording():
            return "● Recording"
        case Stopped():
            return "Stopped"
        case ReplayProgress(done=done, total=total) if total:
            return f"▶ Replaying {done}/{total}"
        case ReplayProgress():
            return "▶ Replaying"
    return None


def opened_state(event: Opened, flags: int) -> str:
    """Status-bar state once a saved session is shown: "Saved session: 20 lines, 2 flags"."""
    n = event.chunks
    return f"Saved session: {n} line{'' if n == 1 else 's'}, {flags} flag{'' if flags == 1 else 's'}"


def tooltip(text: str) -> str:
    """Tooltip markup that shows ``text`` literally.

    Qt guesses whether a tooltip is rich text, so untrusted text is escaped
    and wrapped, never passed raw: ``<b>`` stays the four characters ``<b>``.
    """
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>"


def held_note(event: AnalysisHeld) -> str:
    """Status-bar note for an "analysis_held" event: every provider is rate-limited, lines wait."""
    n = event.chunks
    lines = f"{n} line{'' if n == 1 else 's'} wait" if n else "new lines wait"
    return f"Analysis held… every provider is rate-limited; {lines} for the first to be back"


def unanalysed_warning(event: Unanalysed) -> str | None:
    """The message for an "unanalysed" event (a session ended with lines no provider answered)."""
    sentence = event.sentence
    if not sentence:
        return None
    return f"{sentence}; they stay in the transcript. Another provider in Settings > Providers avoids the wait."


def backlog_warning(event: Backlog | TranscriptionBacklog) -> str | None:
    """The message for a "backlog" event: analysis left chunks out, or transcription runs behind."""
    if isinstance(event, Backlog):
        left, total = event.left_unanalysed, event.total_unanalysed
        if left <= 0:
            return None
        return (
            f"Analysis is falling behind: {left} older chunk(s) were left unanalysed ({total} so far this session); "
            "they stay in the transcript. Put a faster provider first in Settings > Providers."
        )
    seconds = event.seconds
    if seconds >= 1:
        return (
            f"Transcription is running {seconds:.0f} s behind the speech; waiting speech is merged so nothing is lost. "
            "A smaller model in Settings > Transcription keeps up better."
        )
    return None
