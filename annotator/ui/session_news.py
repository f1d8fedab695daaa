"""What an analysis adds to the window: flags not shown yet, warnings not given yet (no Qt).

The window shows what this decides; it keeps, per session, the flags already
on screen (a contradiction a provider repeats in a later answer is one card)
and the providers already warned about (a misconfigured provider is said once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from annotator.models import Analysis, Chunk, Outcome
from annotator.text.quotes import QuoteIndex
from annotator.ui.flag import Flag, flags_from_analysis
from annotator.ui.format import all_failed_details, all_failed_warning, misconfigured_warning


@dataclass(frozen=True)
class Notice:
    """A warning for the message strip, with the details it may carry; warnings of one
    ``kind`` merge into one line there (``MessageHub``)."""

    text: str
    details: str = ""
    kind: str = ""


class SessionNews:
    """One session's memory of what the window was told; ``clear`` for the next session."""

    def __init__(self) -> None:
        self._warned: set[str] = set()
        self._flag_keys: set[tuple[frozenset[str], frozenset[str], bool]] = set()

    def clear(self) -> None:
        self._warned.clear()
        self._flag_keys.clear()

    def admit(self, flag: Flag) -> bool:
        """True the first time a flag says this (a manual flag always is new)."""
        if flag.manual:
            return True
        if flag.key in self._flag_keys:
            return False
        self._flag_keys.add(flag.key)
        return True

    def flags(self, analysis: Analysis, chunks: Mapping[int, Chunk], quotes: QuoteIndex | None = None) -> list[Flag]:
        """The flags of ``analysis`` not shown before (``quotes``: the transcript's lines by word)."""
        return [flag for flag in flags_from_analysis(analysis, chunks, quotes) if self.admit(flag)]

    def warnings(self, analysis: Analysis) -> list[Notice]:
        """What to warn about: each misconfigured provider once a session; and, when no
        provider answered (only the local estimate, or nothing), every time, with why."""
        out = []
        for attempt in analysis.attempts:
            if attempt.outcome is Outcome.MISCONFIGURED and attempt.provider not in self._warned:
                self._warned.add(attempt.provider)
                out.append(Notice(misconfigured_warning(attempt)))
        if (analysis.insight is None or analysis.local) and any(not a.ok for a in analysis.attempts):
            out.append(Notice(all_failed_warning(analysis), all_failed_details(analysis), kind="analysis_unavailable"))
        return out
