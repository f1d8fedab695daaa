"""Painting the sentiment timeline's chart: what ``SentimentTimeline`` keeps in its pixmap.

``paint_chart`` draws one ``Chart`` (the data, the stretch shown, the layout)
for the seconds ``t0`` .. ``t1``: the score grid and time axis, the smoothed
curve (filled green above zero and red below, dashed and banded grey where
only the local estimate answered), the points when there is room, flags and
marks as ticks, the whole-session strip with its handle, and the header
(legend, the stretch shown). Where things go is ``timeline_geometry``'s;
what the curve is, ``timeline_model``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QLinearGradient, QPainter, QPen, QPolygonF

from annotator.text.clock import timestamp
from annotator.ui.format import SENTIMENT_COLORS
from annotator.ui.timeline_geometry import HEADER, LANE, MARGIN_LEFT, Box, Frame, Layout, by_local, scored_runs
from annotator.ui.timeline_model import (
    WHOLE,
    Moments,
    Sample,
    Series,
    View,
    room_for_points,
    shows_whole,
    smoothing_half_width,
    ticks,
    time_step,
)

FLAG_COLOR = "#d0453a"
REVIEW_FLAG_COLOR = "#6d3fc4"
MARK_COLOR = "#3b6fd1"
CURVE_COLOR = "#4b5563"
GRID_COLOR = "#e3e5e8"
LOCAL_BAND_COLOR = "#eceef1"
TEXT_COLOR = "#6b7280"


@dataclass(frozen=True)
class Chart:
    """What one paint draws: the session's data, the view and where the widget places things."""

    series: Series
    flags: Moments
    review_flags: Moments  # contradictions the post-session review found (purple)
    marks: Moments
    end: float  # the session's last moment, seconds
    live: bool
    view: View
    layout: Layout


def _rect(box: Box) -> QRectF:
    return QRectF(box.left, box.top, box.width, box.height)


def paint_chart(p: QPainter, chart: Chart, t0: float, t1: float) -> None:
    """The chart for ``t0`` .. ``t1``: grid, axis, curve, flags and marks, the strip and the header."""
    r = _rect(chart.layout.plot)
    f = chart.layout.frame(t0, t1)
    text = QColor(TEXT_COLOR)
    font = p.font()
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
    p.setFont(font)
    # score grid: +1, 0, -1
    p.setPen(QPen(QColor(GRID_COLOR), 1))
    for score in (1.0, 0.0, -1.0):
        y = f.y(score)
        p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
    p.setPen(text)
    for score, label in ((1.0, "+1"), (0.0, "0"), (-1.0, "−1")):
        y = f.y(score)
        p.drawText(
            QRectF(0, y - 7, MARGIN_LEFT - 6, 14), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
        )
    # time axis
    step = time_step(t1 - t0, max(2, int(r.width() // 80)))
    for t in ticks(t0, t1, step):
        x = f.x(t)
        p.setPen(QPen(QColor(GRID_COLOR), 1))
        p.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 3))
        left = min(max(0.0, x - 30), chart.layout.width - 60.0)  # keep the last label inside the widget
        p.setPen(text)
        p.drawText(QRectF(left, r.bottom() + 3, 60, 13), Qt.AlignmentFlag.AlignHCenter, timestamp(t))
    if not len(chart.series):
        p.setPen(text)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, "Sentiment over time appears here as the conversation is analysed.")
    else:
        _paint_curve(p, chart, r, t0, t1)
    # flags along the top edge, marks along the bottom edge: one tick per pixel column at most
    for moments, color, top in (
        (chart.flags, FLAG_COLOR, True),
        (chart.review_flags, REVIEW_FLAG_COLOR, True),
        (chart.marks, MARK_COLOR, False),
    ):
        cols = moments.pixels(t0, t1, r.left(), r.width())
        if not cols:
            continue
        p.setPen(QPen(QColor(color), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        y0, y1 = (r.top(), r.top() + LANE) if top else (r.bottom() - LANE, r.bottom())
        p.drawLines([QPointF(x, y) for x in cols for y in (y0, y1)])
    _paint_strip(p, chart, t0, t1)
    _paint_header(p, chart, r, t0, t1)


def _paint_header(p: QPainter, chart: Chart, r: QRectF, t0: float, t1: float) -> None:
    """A legend on the left; on the right the stretch shown, when it is not the whole session."""
    y = r.top() - HEADER
    row = QRectF(r.left(), y, r.width(), HEADER - 2)
    mid = row.center().y()
    x = row.left()
    fm = p.fontMetrics()
    for kind, color, label in (
        ("line", CURVE_COLOR, "provider"),
        ("dash", CURVE_COLOR, "local estimate"),
        ("tick", FLAG_COLOR, "flag"),
        ("tick", REVIEW_FLAG_COLOR, "review flag"),
        ("tick", MARK_COLOR, "mark"),
    ):
        if kind == "tick":
            p.setPen(QPen(QColor(color), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            p.drawLine(QPointF(x + 3, mid - 4), QPointF(x + 3, mid + 4))
            x += 9
        else:
            style = Qt.PenStyle.DashLine if kind == "dash" else Qt.PenStyle.SolidLine
            p.setPen(QPen(QColor(color), 1.6, style))
            p.drawLine(QPointF(x, mid), QPointF(x + 16, mid))
            x += 20
        p.setPen(QColor(TEXT_COLOR))
        p.drawText(QRectF(x, y, 200, HEADER - 2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        x += fm.horizontalAdvance(label) + 12
    view = chart.view
    if shows_whole(t0, t1, chart.end):
        hint = "wheel: zoom in"
    elif view.start is None:
        hint = f"the last {timestamp(t1 - t0)}{' (following)' if chart.live else ''} · double-click: whole session"
    else:
        hint = (
            f"{timestamp(t0)}–{timestamp(min(t1, chart.end))} of {timestamp(chart.end)} · double-click: whole session"
        )
    if fm.horizontalAdvance(hint) < row.right() - x:
        p.setPen(QColor(TEXT_COLOR))
        p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, hint)


def _paint_curve(p: QPainter, chart: Chart, r: QRectF, t0: float, t1: float) -> None:
    f = chart.layout.frame(t0, t1)
    half = smoothing_half_width(t1 - t0, chart.series.typical_gap())
    runs = scored_runs(chart.series.smoothed(t0, t1, max(2, int(r.width() // 3)), half))
    pts = [_points(f, run) for run in runs]  # each sample mapped once, for the fill and the line
    zero = f.y(0.0)
    # stretches where only the local estimate answered: a grey band behind the curve
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(LOCAL_BAND_COLOR))
    c = _rect(chart.layout.curve)
    parts = [(k, i, j, local) for k, run in enumerate(runs) for i, j, local in by_local(run)]
    for k, i, j, local in parts:
        if local:
            x0, x1 = pts[k][i].x(), pts[k][j].x()
            p.drawRect(QRectF(x0, c.top(), x1 - x0, c.height()))
    # the area between the curve and zero: green above, red below (one gradient, no clipping;
    # not antialiased: the line drawn over it is)
    gradient = QLinearGradient(0, r.top(), 0, r.bottom())
    edge = (zero - r.top()) / r.height()
    for at, shade in ((0.0, "#2e9d5b"), (edge, "#2e9d5b"), (min(1.0, edge + 1e-4), "#d0453a"), (1.0, "#d0453a")):
        fill = QColor(shade)
        fill.setAlpha(40)
        gradient.setColorAt(at, fill)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.setBrush(QBrush(gradient))
    for qpts in pts:
        poly = QPolygonF(qpts)
        poly.append(QPointF(qpts[-1].x(), zero))
        poly.append(QPointF(qpts[0].x(), zero))
        p.drawPolygon(poly)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    # the curve: solid where providers answered, dashed where only the local estimate did
    p.setBrush(Qt.BrushStyle.NoBrush)
    for k, i, j, local in parts:
        p.setPen(QPen(QColor(CURVE_COLOR), 1.6, Qt.PenStyle.DashLine if local else Qt.PenStyle.SolidLine))
        p.drawPolyline(QPolygonF(pts[k][i : j + 1]))
    visible = chart.series.between(t0, t1)
    if room_for_points(len(visible), r.width()):
        for pt in visible:
            color = QColor(SENTIMENT_COLORS.get(pt.label, "#9aa0a6"))
            p.setPen(QPen(color, 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush if pt.local else color)
            p.drawEllipse(QPointF(f.x(pt.at), f.y(pt.score)), 3, 3)


def _paint_strip(p: QPainter, chart: Chart, t0: float, t1: float) -> None:
    """The whole session, small, with the stretch shown as a handle."""
    s = _rect(chart.layout.strip)
    _, total = WHOLE.range(chart.end)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#f1f2f4"))
    p.drawRect(s)
    samples = chart.series.smoothed(
        0.0, total, max(2, int(s.width() // 4)), smoothing_half_width(total, chart.series.typical_gap())
    )
    p.setPen(QPen(QColor("#9aa0a6"), 1))
    f = Frame(s.left(), s.width(), 0.0, total, s.center().y(), s.height() / 2 - 1)
    for run in scored_runs(samples):
        p.drawPolyline(QPolygonF(_points(f, run)))
    if shows_whole(t0, t1, chart.end):
        return
    handle = QRectF(s.left() + s.width() * t0 / total, s.top(), max(3.0, s.width() * (t1 - t0) / total), s.height())
    fill = QColor(MARK_COLOR)
    fill.setAlpha(35)
    p.setBrush(fill)
    p.setPen(QPen(QColor(MARK_COLOR), 1))
    p.drawRect(handle)


def _points(f: Frame, run: list[Sample]) -> list[QPointF]:
    """The pixels of a run of samples (all with a score), computed inline: this is the paint's inner loop."""
    k = f.width / (f.t1 - f.t0)
    x0 = f.left - f.t0 * k
    return [QPointF(x0 + s.at * k, f.mid - f.half * s.score) for s in run]  # type: ignore[operator]
