"""Which transcript line a quoted statement came from.

A provider (live or in the review) quotes what was said in its own words, so
the line is found by the words the quote shares with it, not by equality:
``find_statement`` takes the line holding the quote's whole phrase, else the
line holding the largest share of its words, and gives up below
``MATCH_THRESHOLD``; ``find_near`` narrows the search to a time a reviewer gave.

Used by the exports (``formats.contradictions``). Standard library only: lines
are anything with ``text`` (and ``start``/``end`` for ``find_near``), such as
``models.Chunk``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

MATCH_THRESHOLD = 0.6
"""Share of the quoted statement's words a line must contain to be its source.
Every word counts (stopwords too), so a short quote needs most of its words in
the line; below this the quote is taken as not found word for word."""

NEAR_S = 6.0
"""How far (seconds) a reviewer's time may be from the line it names: a
reviewer's time may be a few seconds off the line's start."""


class Line(Protocol):
    @property
    def text(self) -> str: ...


class TimedLine(Line, Protocol):
    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


L = TypeVar("L", bound=Line)
T = TypeVar("T", bound=TimedLine)


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order (stopwords kept)."""
    return re.findall(r"\w+", text.lower())


def find_statement(quote: str, candidates: Sequence[L]) -> L | None:
    """The line that best contains ``quote`` (a provider's paraphrase or
    quotation): whole-phrase containment first, else the largest share of
    the quote's words, the first line winning a tie; None below ``MATCH_THRESHOLD``."""
    target = words(quote)
    if not target:
        return None
    phrase = " ".join(target)
    wanted = set(target)
    best: L | None = None
    best_score = 0.0
    for line in candidates:
        said = words(line.text)
        score = 2.0 if phrase in " ".join(said) else len(wanted & set(said)) / len(wanted)
        if score > best_score:
            best, best_score = line, score
    return best if best_score >= MATCH_THRESHOLD else None


def find_near(quote: str, at: float, lines: Sequence[T]) -> T | None:
    """The line a reviewer's quote at ``at`` seconds came from: the best match among
    the lines within ``NEAR_S`` of that time, else anywhere, else the line spoken then."""
    near = [c for c in lines if c.start - NEAR_S <= at <= c.end + NEAR_S]
    found = find_statement(quote, near) or find_statement(quote, lines)
    if found is not None:
        return found
    return next((c for c in lines if c.start <= at <= c.end), None)
