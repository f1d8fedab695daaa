"""Where the sentiment timeline's parts sit, and seconds and scores as pixels, without Qt.

``Layout`` places the chart, the curve between the flag and mark lanes, and
the whole-session strip in a widget of a given size; ``Frame`` maps seconds
and scores to pixels for one paint; ``scored_runs`` and ``by_local`` cut the smoothed
curve into the stretches that are drawn (gaps split it, local estimates are
dashed). The widget (``timeline.py``) and its painting (``timeline_paint.py``)
only turn these numbers into Qt rectangles and lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from annotator.ui.timeline_model import Sample

MARGIN_LEFT = 34
MARGIN = 8
AXIS = 16  # the time labels under the chart
STRIP = 12  # the whole-session strip under them
LANE = 8  # the flag lane at the top and the mark lane at the bottom of the chart
HEADER = 14  # the legend and the stretch shown, above the chart


class Box(NamedTuple):
    """A rectangle in pixels, as ``QRectF(left, top, width, height)`` takes it."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def center_y(self) -> float:
        return self.top + self.height / 2


@dataclass(frozen=True)
class Frame:
    """Seconds and scores to pixels for one paint (computed once, not per point)."""

    left: float
    width: float
    t0: float
    t1: float
    mid: float  # y of score 0
    half: float  # pixels from 0 to 1

    def x(self, at: float) -> float:
        return self.left + self.width * (at - self.t0) / (self.t1 - self.t0)

    def y(self, score: float) -> float:
        return self.mid - self.half * max(-1.0, min(1.0, score))


@dataclass(frozen=True)
class Layout:
    """The timeline's parts in a widget of ``width`` x ``height`` pixels."""

    width: float
    height: float

    @property
    def plot(self) -> Box:
        """The chart: flag lane, curve, mark lane."""
        return Box(
            MARGIN_LEFT,
            MARGIN + HEADER,
            max(1, self.width - MARGIN_LEFT - MARGIN),
            max(1, self.height - 2 * MARGIN - HEADER - AXIS - STRIP),
        )

    @property
    def curve(self) -> Box:
        """The chart less the flag lane above and the mark lane below."""
        r = self.plot
        return Box(r.left, r.top + LANE + 2, r.width, r.height - 2 * (LANE + 2))

    @property
    def strip(self) -> Box:
        """The whole session, small, under the time axis."""
        r = self.plot
        return Box(r.left, r.bottom + AXIS + 2, r.width, STRIP - 2)

    def frame(self, t0: float, t1: float) -> Frame:
        """Seconds ``t0`` .. ``t1`` across the chart, scores -1 .. 1 across the curve."""
        r, c = self.plot, self.curve
        return Frame(r.left, r.width, t0, t1, c.center_y, c.height / 2)

    def time_at(self, x: float, t0: float, t1: float) -> float:
        """The second under the horizontal position ``x`` when ``t0`` .. ``t1`` is shown."""
        r = self.plot
        return t0 + (x - r.left) / r.width * (t1 - t0)


def scored_runs(samples: list[Sample]) -> list[list[Sample]]:
    """The stretches of consecutive samples with a score (gaps split them)."""
    runs: list[list[Sample]] = []
    current: list[Sample] = []
    for s in samples:
        if s.score is None:
            if len(current) > 1:
                runs.append(current)
            current = []
        else:
            current.append(s)
    if len(current) > 1:
        runs.append(current)
    return runs


def by_local(run: list[Sample]) -> list[tuple[int, int, bool]]:
    """A run cut where it turns from provider answers to local estimates or back: (first, last index,
    local) of each part; neighbouring parts share an index, so the curve has no hole."""
    parts: list[tuple[int, int, bool]] = []
    first = 0
    for i in range(1, len(run)):
        if run[i].local != run[first].local:
            parts.append((first, i, run[first].local))
            first = i
    if first < len(run) - 1:
        parts.append((first, len(run) - 1, run[first].local))
    return parts
