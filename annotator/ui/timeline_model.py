"""What the sentiment timeline shows, worked out without Qt.

The widget (``timeline.py``) only paints what this module computes, so every
rule is tested without a display (``tests/ui/test_timeline_model.py``):

- ``Series``: sentiment points in time order with running sums, so the
  smoothed curve over any stretch costs a few binary searches per sample,
  whatever the length of the session (two hours cost what five minutes do);
- ``Moments``: flags and marks in time order, thinned to one per pixel;
- ``Lines``: the transcript's lines in time order, and the one nearest a time;
  ``line_tip``: what hovering one shows;
- ``View``: which stretch of the session is shown, and how wheel zoom, drag
  and the range handle change it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from annotator.models import Chunk
from annotator.text.clock import timestamp
from annotator.ui.format import signed_score

MIN_SPAN = 20.0  # the narrowest window a zoom reaches, seconds
FOLLOW_SPAN = 300.0  # while recording, the view shows the last five minutes
POINT_ROOM_PX = 7.0  # individual points are drawn when they are at least this far apart on average
SMOOTHING_FRACTION = 1 / 40  # the smoothing half-width, as a share of the seconds shown


@dataclass(frozen=True)
class Point:
    """One analysed request: its time, score (-1..1) and whether only the local estimate answered."""

    chunk_id: int
    at: float  # seconds
    score: float  # -1..1
    label: str
    local: bool


@dataclass(frozen=True)
class Sample:
    """The smoothed curve at one time: ``score`` None where no point is near (a gap)."""

    at: float
    score: float | None
    local: bool  # most of the weight comes from local estimates


class Series:
    """Sentiment points sorted by time, with prefix sums for weighted means.

    ``mean(c, h)`` is the mean of the scores within ``h`` seconds of ``c``,
    each weighted by ``1 - |t - c| / h`` (a rolling mean that favours its
    centre, so the curve has no steps). The times and prefix sums live in
    arrays that grow by doubling: adding a point at the end is O(1), and the
    curve at any time is a few binary searches, however long the session.
    """

    def __init__(self) -> None:
        self.points: list[Point] = []
        self._index: dict[int, int] = {}  # chunk id -> position
        self._at = np.empty(64)
        # prefix sums of 1, t, s, t*s, local, t*local: _sums[k, i] is the sum over the first i points
        self._sums = np.zeros((6, 65))

    def __len__(self) -> int:
        return len(self.points)

    def add(self, point: Point) -> None:
        """Add a point; a second one for the same chunk replaces the first."""
        n = len(self.points)
        if point.chunk_id in self._index:
            self.points[self._index[point.chunk_id]] = point
            self._rebuild()
        elif n == 0 or point.at >= self._at[n - 1]:
            if n == len(self._at):
                self._grow(2 * n)
            self._index[point.chunk_id] = n
            self.points.append(point)
            self._at[n] = point.at
            self._sums[:, n + 1] = self._sums[:, n] + _terms(point)
        else:  # out of order (rare): insert and rebuild the sums
            self.points.insert(int(np.searchsorted(self._at[:n], point.at, "right")), point)
            self._rebuild()

    def clear(self) -> None:
        self.points.clear()
        self._rebuild()

    def _grow(self, capacity: int) -> None:
        n = len(self.points)
        at, sums = np.empty(capacity), np.zeros((6, capacity + 1))
        at[:n], sums[:, : n + 1] = self._at[:n], self._sums[:, : n + 1]
        self._at, self._sums = at, sums

    def _rebuild(self) -> None:
        self.points.sort(key=lambda p: p.at)
        n = len(self.points)
        self._index = {p.chunk_id: i for i, p in enumerate(self.points)}
        self._at, self._sums = np.empty(max(64, 2 * n)), np.zeros((6, max(64, 2 * n) + 1))
        if n:
            self._at[:n] = [p.at for p in self.points]
            self._sums[:, 1 : n + 1] = np.cumsum(np.array([_terms(p) for p in self.points]).T, axis=1)

    def get(self, chunk_id: int) -> Point | None:
        """The point of this chunk, if one was analysed with it last."""
        i = self._index.get(chunk_id)
        return None if i is None else self.points[i]

    def between(self, t0: float, t1: float) -> Sequence[Point]:
        """The points with ``t0 <= at <= t1``."""
        at = self._at[: len(self.points)]
        return self.points[int(np.searchsorted(at, t0, "left")) : int(np.searchsorted(at, t1, "right"))]

    def count(self, t0: float, t1: float) -> int:
        return len(self.between(t0, t1))

    def typical_gap(self) -> float:
        """The mean time between consecutive points (0 with fewer than two)."""
        n = len(self.points)
        return 0.0 if n < 2 else float(self._at[n - 1] - self._at[0]) / (n - 1)

    def _weighted(self, c: np.ndarray, half: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At each centre in ``c``: the total weight, the weighted score sum and the weighted local count."""
        n = len(self.points)
        at, sums = self._at[:n], self._sums[:, : n + 1]
        lo, hi = c - half, c + half
        a = np.searchsorted(at, lo, "left")
        m = np.searchsorted(at, c, "left")
        b = np.searchsorted(at, hi, "right")

        def weighted(k: int) -> np.ndarray:
            # left of the centre each point weighs (t - lo) / h, right of it (hi - t) / h; the 1/h cancels.
            # sums[k] holds the values v, sums[k + 1] the values t * v
            v, tv = sums[k], sums[k + 1]
            total: np.ndarray = (tv[m] - tv[a]) - lo * (v[m] - v[a]) + hi * (v[b] - v[m]) - (tv[b] - tv[m])
            return total

        return weighted(0), weighted(2), weighted(4)

    def mean(self, centre: float, half: float) -> tuple[float, float] | None:
        """(weighted mean score, weighted share of local points) within ``half`` s of ``centre``; None if no point is."""
        if not self.points:
            return None
        w, s, loc = (float(v[0]) for v in self._weighted(np.array([centre]), half))
        if w <= 1e-9 * half:
            return None
        return s / w, loc / w

    def smoothed(self, t0: float, t1: float, samples: int, half: float) -> list[Sample]:
        """The curve from ``t0`` to ``t1`` at ``samples`` evenly spaced times (``mean`` at each, all at
        once); None outside the first and last point's times, and where no point is within ``half``."""
        n = len(self.points)
        if samples < 2 or t1 <= t0 or not n:
            return []
        c = np.linspace(t0, t1, samples)
        w, s, loc = self._weighted(c, half)
        ok = (
            (w > 1e-9 * half) & (c >= self._at[0]) & (c <= self._at[n - 1])
        )  # no curve before the first point or after the last
        safe = np.where(ok, w, 1.0)
        score = np.clip(s / safe, -1.0, 1.0)
        local = loc / safe > 0.5
        return [
            Sample(t, sc if k else None, lc and k)
            for t, sc, lc, k in zip(c.tolist(), score.tolist(), local.tolist(), ok.tolist())
        ]


def _terms(p: Point) -> tuple[float, float, float, float, float, float]:
    """What one point adds to each prefix sum: 1, t, s, t*s, local, t*local."""
    loc = 1.0 if p.local else 0.0
    return 1.0, p.at, p.score, p.at * p.score, loc, p.at * loc


def smoothing_half_width(span: float, typical_gap: float) -> float:
    """How far either side of a time the curve averages: a fortieth of what is shown,
    and never less than one and a half point spacings (so the curve does not break
    between two ordinary points)."""
    return max(span * SMOOTHING_FRACTION, 1.5 * typical_gap, 1.0)


def room_for_points(count: int, width_px: float) -> bool:
    """Whether ``count`` points across ``width_px`` pixels can be told apart."""
    return count == 0 or width_px / count >= POINT_ROOM_PX


class Moments:
    """Times of flags or marks, sorted, for drawing the visible ones as ticks."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def add(self, at: float) -> None:
        bisect.insort(self.times, at)

    def clear(self) -> None:
        self.times.clear()

    def pixels(self, t0: float, t1: float, x0: float, width: float) -> list[int]:
        """The distinct pixel columns of the moments between ``t0`` and ``t1``, mapped to ``x0 .. x0 + width``.
        At most one per column, so a dense stretch costs no more than the width."""
        if t1 <= t0:
            return []
        lo, hi = bisect.bisect_left(self.times, t0), bisect.bisect_right(self.times, t1)
        scale = width / (t1 - t0)
        cols: list[int] = []
        for t in self.times[lo:hi]:
            x = round(x0 + (t - t0) * scale)
            if not cols or cols[-1] != x:
                cols.append(x)
        return cols


class Lines:
    """The transcript's lines sorted by start, to find the one under the pointer."""

    def __init__(self) -> None:
        self.lines: list[Chunk] = []
        self._start: list[float] = []
        self._ids: set[int] = set()
        self._longest = 0.0  # the longest line, seconds: how far back one can still span a time

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, chunk: Chunk) -> None:
        if chunk.id in self._ids:
            return
        self._ids.add(chunk.id)
        self._longest = max(self._longest, chunk.end - chunk.start)
        i = bisect.bisect_right(self._start, chunk.start)
        self._start.insert(i, chunk.start)
        self.lines.insert(i, chunk)

    def name_speaker(self, speaker: str, name: str) -> None:
        """Speaker ``speaker`` (``S1``) is called ``name`` ("": its id again) on its lines."""
        names = {speaker: name}
        self.lines = [c.named(names) if c.speaker == speaker else c for c in self.lines]

    def clear(self) -> None:
        self.lines.clear()
        self._start.clear()
        self._ids.clear()
        self._longest = 0.0

    def nearest(self, at: float, within: float = math.inf) -> Chunk | None:
        """The line spanning ``at`` (the latest to start, when lines overlap), else the one whose
        start or end is closest to it, if within ``within`` s."""
        i = bisect.bisect_right(self._start, at)
        best, best_d = None, math.inf
        if i < len(self.lines):  # the first line starting after at
            best, best_d = self.lines[i], self._start[i] - at
        j = i - 1
        # earlier lines, latest first; none starting before at - longest - best_d can be nearer
        while j >= 0 and self._start[j] >= at - self._longest - best_d:
            c = self.lines[j]
            d = max(0.0, at - c.end)
            if d < best_d:
                best, best_d = c, d
            if best_d == 0.0:
                break
            j -= 1
        return best if best_d <= within else None


def line_tip(line: Chunk, point: Point | None) -> str:
    """What hovering a line shows, as plain text: its time and speaker, what was said, and the
    sentiment of its point (or the one under the pointer) when there is one."""
    head = timestamp(line.start) + (f"  {line.who}" if line.who else "")
    text = f"{head}\n{line.text}"
    if point is not None:
        local = " (local estimate)" if point.local else ""
        text += f"\nsentiment {point.label} {signed_score(point.score)}{local}"
    return text


def extent(end: float) -> float:
    """The seconds the whole-session view spans: the last moment plus a little room, at least a minute.
    The room is fixed, not a share of the session: a view following the end of a two-hour
    session shows its last minutes, not two minutes of nothing after them."""
    return max(60.0, end + 5.0)


@dataclass(frozen=True)
class View:
    """Which stretch of the session is shown.

    ``span`` None is the whole session. With a span, ``start`` None pins the
    view to the end (it follows the session as it grows), a number fixes it::

        View()                       # the whole session
        View(span=300)               # the last five minutes, following
        View(span=600, start=1800)   # 30:00 to 40:00, staying there
    """

    span: float | None = None
    start: float | None = None

    @property
    def whole(self) -> bool:
        return self.span is None

    def range(self, end: float) -> tuple[float, float]:
        """The (first, last) second shown when the session's last moment is ``end``."""
        total = extent(end)
        if self.span is None or self.span >= total:
            return 0.0, total
        if self.start is None:
            return total - self.span, total
        start = min(max(0.0, self.start), total - self.span)
        return start, start + self.span


WHOLE = View()
FOLLOW = View(span=FOLLOW_SPAN)


def shows_whole(t0: float, t1: float, end: float) -> bool:
    """``t0`` .. ``t1`` is the whole session (also when following one shorter than the span followed)."""
    return (t0, t1) == WHOLE.range(end)


def _fit(start: float, span: float, end: float) -> View:
    """A view of ``span`` s from ``start``, clamped to the session; pinned to the end if it reaches it."""
    total = extent(end)
    if span >= total:
        return WHOLE
    start = min(max(0.0, start), total - span)
    if start + span >= total - 1e-6:
        return View(span=span)
    return View(span=span, start=start)


def zoomed(view: View, end: float, anchor: float, factor: float) -> View:
    """``view`` zoomed by ``factor`` (below 1: closer) keeping the second ``anchor`` where it is on screen."""
    t0, t1 = view.range(end)
    span = max(MIN_SPAN, (t1 - t0) * factor)
    anchor = min(max(t0, anchor), t1)
    share = (anchor - t0) / (t1 - t0)
    return _fit(anchor - share * span, span, end)


def panned(view: View, end: float, seconds: float) -> View:
    """``view`` moved later by ``seconds`` (earlier if negative)."""
    t0, t1 = view.range(end)
    return _fit(t0 + seconds, t1 - t0, end)


def centred(view: View, end: float, at: float) -> View:
    """``view`` with the same span, centred on the second ``at``."""
    t0, t1 = view.range(end)
    return _fit(at - (t1 - t0) / 2, t1 - t0, end)


def wheel_factor(degrees: float) -> float:
    """Zoom factor for a wheel turn: one notch (15 degrees) closer shows 80 % of the span."""
    return float(0.8 ** (degrees / 15.0))


def time_step(span: float, max_labels: int) -> float:
    """The spacing of the time axis' labels: a round step giving at most ``max_labels`` across ``span``."""
    steps = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)
    return float(next((s for s in steps if span / s <= max_labels), steps[-1]))


def ticks(t0: float, t1: float, step: float) -> Iterable[float]:
    """The multiples of ``step`` from ``t0`` to ``t1``."""
    t = math.ceil(t0 / step) * step
    while t <= t1 + 1e-9:
        yield t
        t += step
