"""Which transcript line a quoted statement came from: one rule for the window,
the exports and the review.

A provider (live or in the review) quotes what was said in its own words, so
the line is found by the words the quote shares with it, not by equality. A
user who sees a flag card in the window pinned to the line at 12:40 expects the
Markdown export and the review to name that same line, so the window
(``ui.flag``, through ``QuoteIndex``), the exports (``formats.contradictions``)
and the review's numbering of live flags (``analysis.review.flags``) all ask
this module, and nothing else, where a quote stands.

The rule, for a quote and a candidate line:

- Only meaningful words count (``meaningful``: small words such as "I", "the",
  "was" left out, as ``analysis.identity`` does). A provider's paraphrase keeps
  the nouns and verbs and changes the small words, and two lines that share only
  "I was at the" say nothing about each other. A quote made only of small words
  is not found anywhere.
- The line's share is the part of the quote's meaningful words it holds. A line
  holding the whole quote as a phrase (``phrase``: words in order, case and
  punctuation ignored, its first and last word possibly cut short by the
  transcriber) beats any line that only holds the words; it must still share
  one meaningful word whole with the quote.
- Below ``MATCH_THRESHOLD`` (half the meaningful words) the quote is not found.
- When lines tie, the latest wins: the most recent time a thing was said is the
  one a provider reading the recent transcript means, and it is the line the
  callers fall back to for a flag's own statement (its analysis's last line).

``place_statement`` and ``place_earlier`` are where a flag's two quotes stand:
the statement among its analysis's own lines (else the last of them), the
earlier statement among the lines before them (else among its own lines);
``place_found`` places a contradiction the review found by the reviewer's times.

``QuoteIndex`` gives what ``find_statement`` gives over the lines in arrival
order without reading the whole transcript: the window finds a flag's earlier
statement two hours in by reading the lines that hold the quote's rarest words
only, so the work per new line does not grow with the session (issue 19).

Not here: whether two quotes are the same finding (``analysis.review.merge``,
two providers' wordings compared with each other, every word counting) is a
different question from where one quote stands in the transcript.

Standard library only: lines are anything with ``text`` (and ``start``/``end``
for ``find_near``, ``id`` for ``QuoteIndex``), such as ``models.Chunk``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

MATCH_THRESHOLD = 0.5
"""Share of the quote's meaningful words a line must hold to be its source."""

PHRASE = 2.0
"""The score of a line holding the quote's whole phrase: above any share."""

NEAR_S = 6.0
"""How far (seconds) a reviewer's time may be from the line it names: a
reviewer's time may be a few seconds off the line's start."""

STOP_WORDS = frozenset(
    "a an the and or but of to in on at for with is was were are be been i we you it that this my our "
    "me us so as by from have has had do did not".split()
)
"""Small words left out of matching and of a contradiction's identity."""

_TOKEN = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"\w+")


class Line(Protocol):
    @property
    def text(self) -> str: ...


class TimedLine(Line, Protocol):
    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


class NumberedLine(Line, Protocol):
    @property
    def id(self) -> int: ...


L = TypeVar("L", bound=Line)
T = TypeVar("T", bound=TimedLine)


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order (stopwords kept)."""
    return _WORD.findall(text.lower())


def meaningful(text: str) -> set[str]:
    """The meaningful words of ``text``: lower case, letters and digits, small words left out."""
    return {w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS}


def phrase(text: str) -> str:
    """``text`` as its words in order, lower case, one space apart (what ``score`` compares phrases in)."""
    return " ".join(_TOKEN.findall(text.lower()))


def _score(quote: set[str], quote_phrase: str, shared: int, line_phrase: str) -> float:
    """The rule itself, from the counts (shared by the scan and the index so they cannot drift apart)."""
    if not quote or not shared:
        return 0.0
    # a phrase holds every meaningful word of the quote whole, but for a cut-off first or last one
    if shared >= len(quote) - 2 and quote_phrase in line_phrase:
        return PHRASE
    return shared / len(quote)


def score(quote: str, text: str) -> float:
    """How well ``text`` holds ``quote``: ``PHRASE``, else the share of the quote's meaningful words."""
    qw = meaningful(quote)
    return _score(qw, phrase(quote), len(qw & meaningful(text)), phrase(text))


def find_statement(quote: str, candidates: Sequence[L]) -> L | None:
    """The line of ``candidates`` that best holds ``quote`` (see the module docstring):
    the latest wins a tie; None below ``MATCH_THRESHOLD``."""
    qw, qp = meaningful(quote), phrase(quote)
    best: L | None = None
    best_score = MATCH_THRESHOLD
    for line in candidates:
        s = _score(qw, qp, len(qw & meaningful(line.text)), phrase(line.text))
        if s >= best_score:
            best, best_score = line, s
    return best


def place_statement(quote: str, own: Sequence[L]) -> L | None:
    """The line a flag's statement stands at: the best of its analysis's own lines, else the last of them."""
    return find_statement(quote, own) or (own[-1] if own else None)


def place_earlier(quote: str, before: Sequence[L], own: Sequence[L]) -> L | None:
    """The line a flag's earlier statement stands at: the best of the lines before its analysis,
    else of its analysis's own lines (it may be the statement's own line: a speaker contradicting
    themself in one breath), else None."""
    return find_statement(quote, before) or find_statement(quote, own)


def find_near(quote: str, at: float, lines: Sequence[T]) -> T | None:
    """The line a reviewer's quote at ``at`` seconds came from: the best match among
    the lines within ``NEAR_S`` of that time, else anywhere, else the line spoken then."""
    near = [c for c in lines if c.start - NEAR_S <= at <= c.end + NEAR_S]
    found = find_statement(quote, near) or find_statement(quote, lines)
    if found is not None:
        return found
    return next((c for c in lines if c.start <= at <= c.end), None)


def place_found(
    statement: str, statement_at: float, earlier: str, earlier_at: float, lines: Sequence[T]
) -> tuple[T | None, T | None]:
    """Where a contradiction the review found stands (``find_near`` on both quotes): the
    statement's line, and the earlier statement's among the lines up to it (all lines when
    the statement is not found; it may be the statement's own line)."""
    new = find_near(statement, statement_at, lines)
    upto = lines if new is None else lines[: next(i for i, c in enumerate(lines) if c is new) + 1]
    return new, find_near(earlier, earlier_at, upto)


class QuoteIndex:
    """The lines of a session by their meaningful words, for ``find_statement`` without a scan.

    ``best(quote)`` gives what ``find_statement(quote, lines in arrival order)``
    gives, reading only the lines that hold one of the quote's rarest words.
    """

    def __init__(self) -> None:
        self._order: dict[int, int] = {}  # line id -> arrival number (the latest wins a tie)
        self._lines: dict[int, NumberedLine] = {}
        self._words: dict[int, frozenset[str]] = {}
        self._phrase: dict[int, str] = {}
        self._postings: dict[str, set[int]] = {}

    def add(self, line: NumberedLine) -> None:
        """Index a new line, or re-index one whose text changed (same id)."""
        for w in self._words.get(line.id, ()):
            self._postings[w].discard(line.id)
        self._order.setdefault(line.id, len(self._order))
        ws = frozenset(meaningful(line.text))
        self._lines[line.id], self._words[line.id], self._phrase[line.id] = line, ws, phrase(line.text)
        for w in ws:
            self._postings.setdefault(w, set()).add(line.id)

    def clear(self) -> None:
        for d in (self._order, self._lines, self._words, self._phrase, self._postings):
            d.clear()

    def best(self, quote: str, *, before: int | None = None) -> NumberedLine | None:
        """What ``find_statement(quote, lines)`` gives over the lines with an id below
        ``before`` (all lines when None), in arrival order."""
        qw, qp = meaningful(quote), phrase(quote)
        if not qw:
            return None
        # A line that can match holds at least ``need`` of the quote's words (MATCH_THRESHOLD of them,
        # or all but a cut-off first and last one for a phrase, and one at least), so it holds one of
        # the ``len(qw) - need + 1`` rarest: only their lines are read, however common the others are.
        enough = next(n for n in range(1, len(qw) + 1) if n / len(qw) >= MATCH_THRESHOLD)  # the same division
        need = max(1, min(enough, len(qw) - 2))
        rarest = sorted(qw, key=lambda w: len(self._postings.get(w, ())))[: len(qw) - need + 1]
        found: int | None = None
        best: tuple[float, int] = (MATCH_THRESHOLD, -1)
        for lid in {lid for w in rarest for lid in self._postings.get(w, ())}:
            if before is not None and lid >= before:
                continue
            key = (_score(qw, qp, len(qw & self._words[lid]), self._phrase[lid]), self._order[lid])
            if key > best:
                best, found = key, lid
        return None if found is None else self._lines[found]
