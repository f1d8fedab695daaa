"""The sentiment timeline: sentiment across the session, readable at any length.

Painted by hand (no QtCharts) to keep the bundle lean. What is drawn:

- a smoothed curve (a rolling mean whose width scales with the stretch shown),
  filled green above zero and red below, dashed where only the local estimate
  answered; the individual points (hollow when local) only when there is room;
- flags (red; purple for those the review found) as ticks along the top edge,
  marks (blue) as ticks along the bottom edge;
- under the time axis, the whole session in a thin strip with a handle for the
  stretch shown.

Wheel zooms around the pointer, dragging the chart or the handle scrolls,
double-click shows the whole session. While recording the view follows the
last five minutes unless the user zoomed or scrolled elsewhere. Hovering shows
the nearest line (time, speaker, text) in a plain-text tooltip; clicking
selects it.

Cost: what is computed lives in ``timeline_model`` (prefix sums, binary
searches, one tick per pixel), so a paint is bounded by the width, not the
session's length; the chart is kept in a pixmap and redrawn only when the data,
the view or the size changed (hover only draws a hairline over it).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QHideEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from annotator.models import Chunk
from annotator.text.clock import timestamp
from annotator.ui.format import SENTIMENT_COLORS
from annotator.ui.labels import plain_label
from annotator.ui.timeline_model import (
    FOLLOW,
    WHOLE,
    Lines,
    Moments,
    Point,
    Sample,
    Series,
    View,
    centred,
    line_tip,
    panned,
    room_for_points,
    smoothing_half_width,
    ticks,
    time_step,
    wheel_factor,
    zoomed,
)

__all__ = ["Point", "SentimentTimeline"]

FLAG_COLOR = "#d0453a"
REVIEW_FLAG_COLOR = "#6d3fc4"
MARK_COLOR = "#3b6fd1"
CURVE_COLOR = "#4b5563"
GRID_COLOR = "#e3e5e8"
LOCAL_BAND_COLOR = "#eceef1"
TEXT_COLOR = "#6b7280"
DRAG_PX = 4  # a press that moves further than this is a drag, not a click
HIT_PX = 10  # hover and click reach the nearest line within this many pixels


@dataclass(frozen=True)
class _Frame:
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


class SentimentTimeline(QWidget):
    """Sentiment over time.

    Signals:
        chunk_clicked(int): the user clicked the timeline; the id of the line nearest the pointer.
        view_changed(): the stretch shown changed (zoom, scroll, follow).
    """

    chunk_clicked = Signal(int)
    view_changed = Signal()
    MARGIN_LEFT = 34
    MARGIN = 8
    AXIS = 16  # the time labels under the chart
    STRIP = 12  # the whole-session strip under them
    LANE = 8  # the flag lane at the top and the mark lane at the bottom of the chart
    HEADER = 14  # the legend and the stretch shown, above the chart

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setMinimumHeight(136)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.series = Series()
        self.lines = Lines()
        self._flags = Moments()
        self._review_flags = Moments()
        self._marks = Moments()
        self.end = 0.0
        self.live = False
        self.user_view: View | None = None  # None: follow while live, whole otherwise
        self.hovered: Chunk | None = None
        self.tip: QLabel = plain_label("", self, name="timelineTip", wrap=True)
        self.tip.setWindowFlags(Qt.WindowType.ToolTip)
        self.tip.setMaximumWidth(420)
        self.tip.setMargin(4)
        self.tip.setAutoFillBackground(True)
        self.tip.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.tip.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.tip.setFrameShape(QFrame.Shape.Box)
        self.tip.hide()
        self._version = 0
        self._cache: QPixmap | None = None
        self._cache_key: tuple[object, ...] = ()
        self._press: QPointF | None = None
        self._press_view: View | None = None
        self._dragging = False
        self._dragging_strip = False

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 140)

    # -- data ----------------------------------------------------------------------
    @property
    def points(self) -> list[Point]:
        return self.series.points

    @property
    def flags(self) -> list[float]:
        return self._flags.times

    @property
    def review_flags(self) -> list[float]:
        """Contradictions the post-session review found (purple)."""
        return self._review_flags.times

    @property
    def marks(self) -> list[float]:
        return self._marks.times

    def _changed(self, at: float | None = None) -> None:
        before = self.view_range()
        if at is not None and at > self.end:
            self.end = at
        self._version += 1
        self.update()
        if self.view_range() != before:
            self.view_changed.emit()

    def add_line(self, chunk: Chunk) -> None:
        """A transcript line: hover and click find it; the session extends to its end."""
        self.lines.add(chunk)
        self._changed(chunk.end)

    def add_point(self, point: Point) -> None:
        self.series.add(point)
        self._changed(point.at)

    def add_flag(self, at: float) -> None:
        self._flags.add(at)
        self._changed(at)

    def clear_review_flags(self) -> None:
        self._review_flags.clear()
        self._changed()

    def add_review_flag(self, at: float) -> None:
        self._review_flags.add(at)
        self._changed(at)

    def add_mark(self, at: float) -> None:
        self._marks.add(at)
        self._changed(at)

    def clear(self) -> None:
        self.series.clear()
        self.lines.clear()
        for m in (self._flags, self._review_flags, self._marks):
            m.clear()
        self.end = 0.0
        self.user_view = None
        self.hovered = None
        self.tip.hide()
        self._changed()

    # -- the view ------------------------------------------------------------------
    def set_live(self, live: bool) -> None:
        """A recording or replay is running: follow its last minutes (unless the user chose a view)."""
        if live != self.live:
            self.live = live
            self._set_view(self.user_view)

    def view(self) -> View:
        if self.user_view is not None:
            return self.user_view
        return FOLLOW if self.live else WHOLE

    def view_range(self) -> tuple[float, float]:
        """The first and last second shown."""
        return self.view().range(self.end)

    def _shows_whole(self, t0: float, t1: float) -> bool:
        """The stretch shown is the whole session (also when following one shorter than the span followed)."""
        return (t0, t1) == WHOLE.range(self.end)

    def _set_view(self, view: View | None) -> None:
        before = self.view_range()
        self.user_view = view
        self.update()
        if self.view_range() != before:
            self.view_changed.emit()

    # -- geometry --------------------------------------------------------------
    def _plot(self) -> QRectF:
        """The chart: flag lane, curve, mark lane."""
        return QRectF(
            self.MARGIN_LEFT,
            self.MARGIN + self.HEADER,
            max(1, self.width() - self.MARGIN_LEFT - self.MARGIN),
            max(1, self.height() - 2 * self.MARGIN - self.HEADER - self.AXIS - self.STRIP),
        )

    def _curve_rect(self) -> QRectF:
        r = self._plot()
        return r.adjusted(0, self.LANE + 2, 0, -(self.LANE + 2))

    def _strip(self) -> QRectF:
        r = self._plot()
        return QRectF(r.left(), r.bottom() + self.AXIS + 2, r.width(), self.STRIP - 2)

    def _frame(self, t0: float, t1: float) -> _Frame:
        r, c = self._plot(), self._curve_rect()
        return _Frame(r.left(), r.width(), t0, t1, c.center().y(), c.height() / 2)

    def time_at(self, x: float) -> float:
        """The second under the horizontal position ``x``."""
        t0, t1 = self.view_range()
        r = self._plot()
        return t0 + (x - r.left()) / r.width() * (t1 - t0)

    def x_of(self, at: float) -> float:
        """The horizontal position of the second ``at`` in the current view."""
        return self._frame(*self.view_range()).x(at)

    def _seconds_per_px(self) -> float:
        t0, t1 = self.view_range()
        return (t1 - t0) / self._plot().width()

    def line_at(self, x: float) -> Chunk | None:
        """The line nearest the horizontal position ``x``, if one is within reach."""
        return self.lines.nearest(self.time_at(x), within=HIT_PX * self._seconds_per_px())

    def _point_at(self, x: float) -> Point | None:
        """The point nearest the horizontal position ``x``, if one is within reach."""
        reach = HIT_PX * self._seconds_per_px()
        t = self.time_at(x)
        near = self.series.between(t - reach, t + reach)
        return min(near, key=lambda p: abs(p.at - t)) if near else None

    def hover_text(self, chunk: Chunk, x: float) -> str:
        """The tip for this line: its own point's sentiment, else that of a point under the pointer."""
        return line_tip(chunk, self.series.get(chunk.id) or self._point_at(x))

    # -- events ------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if not self._dragging and (pos - self._press).manhattanLength() > DRAG_PX:
                self._dragging = True
                self._hide_tip()
            if self._dragging and self._press_view is not None:
                end = self.end
                dx = pos.x() - self._press.x()
                if self._dragging_strip:
                    self._set_view(panned(self._press_view, end, dx * (WHOLE.range(end)[1]) / self._plot().width()))
                else:
                    t0, t1 = self._press_view.range(end)
                    self._set_view(panned(self._press_view, end, -dx * (t1 - t0) / self._plot().width()))
            return
        self._hover(pos, event.globalPosition().toPoint())
        super().mouseMoveEvent(event)

    def _hover(self, pos: QPointF, global_pos: QPoint) -> None:
        chunk = self.line_at(pos.x()) if self._plot().contains(pos) else None
        if chunk != self.hovered:
            self.hovered = chunk
            self.update()
        if chunk is None:
            self._hide_tip()
            return
        self.tip.setText(self.hover_text(chunk, pos.x()))
        self.tip.adjustSize()
        self.tip.move(self._tip_position(global_pos, self.tip.size()))
        self.tip.show()

    def _tip_position(self, pointer: QPoint, size: QSize) -> QPoint:
        """Below and right of the pointer; left of it (or above) where the screen ends."""
        at = pointer + QPoint(14, 16)
        screen = self.screen().availableGeometry()
        if at.x() + size.width() > screen.right():
            at.setX(max(screen.left(), pointer.x() - 8 - size.width()))
        if at.y() + size.height() > screen.bottom():
            at.setY(max(screen.top(), pointer.y() - 8 - size.height()))
        return at

    def _hide_tip(self) -> None:
        self.tip.hide()
        if self.hovered is not None:
            self.hovered = None
            self.update()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802
        self._hide_tip()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.tip.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        self._press, self._dragging = pos, False
        strip = self._strip().adjusted(0, -3, 0, 3)
        self._dragging_strip = strip.contains(pos)
        if self._dragging_strip:
            total = WHOLE.range(self.end)[1]
            at = (pos.x() - strip.left()) / strip.width() * total
            t0, t1 = self.view_range()
            if not t0 <= at <= t1:  # outside the handle: jump there, then drag from there
                self._set_view(centred(self.view(), self.end, at))
        self._press_view = self.view()
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        was_click = self._press is not None and not self._dragging and not self._dragging_strip
        self._press, self._press_view, self._dragging, self._dragging_strip = None, None, False, False
        if was_click and event.button() == Qt.MouseButton.LeftButton and self._plot().contains(pos):
            chunk = self.line_at(pos.x())
            if chunk is not None:
                self.chunk_clicked.emit(chunk.id)
            elif (p := self._point_at(pos.x())) is not None:  # a point whose line the timeline was not given
                self.chunk_clicked.emit(p.chunk_id)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Whole session; again (when it already shows) back to following the recording."""
        self._set_view(None if self._shows_whole(*self.view_range()) else WHOLE)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta()
        pos = event.position()
        if (delta.x() and not delta.y()) or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            notches = (delta.x() or delta.y()) / 120
            t0, t1 = self.view_range()
            self._set_view(panned(self.view(), self.end, -notches * (t1 - t0) / 8))
        elif delta.y():
            self._set_view(zoomed(self.view(), self.end, self.time_at(pos.x()), wheel_factor(delta.y() / 8)))
        self._hide_tip()
        event.accept()

    # -- painting ----------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        t0, t1 = self.view_range()
        dpr = self.devicePixelRatioF()
        key = (self._version, t0, t1, self.width(), self.height(), dpr, self.view(), self.live)
        if self._cache is None or key != self._cache_key:
            pm = QPixmap(QSize(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr))))
            pm.setDevicePixelRatio(dpr)
            pm.fill(self.palette().base().color())
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_chart(p, t0, t1)
            p.end()
            self._cache, self._cache_key = pm, key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._cache)
        if self.hovered is not None:
            x = self._frame(t0, t1).x(self.hovered.start)
            r = self._plot()
            painter.setPen(QPen(QColor(CURVE_COLOR), 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        painter.end()

    def _paint_chart(self, p: QPainter, t0: float, t1: float) -> None:
        r = self._plot()
        f = self._frame(t0, t1)
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
            p.drawText(QRectF(0, y - 7, self.MARGIN_LEFT - 6, 14), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        # time axis
        step = time_step(t1 - t0, max(2, int(r.width() // 80)))
        for t in ticks(t0, t1, step):
            x = f.x(t)
            p.setPen(QPen(QColor(GRID_COLOR), 1))
            p.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 3))
            left = min(max(0.0, x - 30), self.width() - 60.0)  # keep the last label inside the widget
            p.setPen(text)
            p.drawText(QRectF(left, r.bottom() + 3, 60, 13), Qt.AlignmentFlag.AlignHCenter, timestamp(t))
        if not len(self.series):
            p.setPen(text)
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "Sentiment over time appears here as the conversation is analysed.")
        else:
            self._paint_curve(p, r, t0, t1)
        # flags along the top edge, marks along the bottom edge: one tick per pixel column at most
        for moments, color, top in ((self._flags, FLAG_COLOR, True), (self._review_flags, REVIEW_FLAG_COLOR, True),
                                    (self._marks, MARK_COLOR, False)):
            cols = moments.pixels(t0, t1, r.left(), r.width())
            if not cols:
                continue
            p.setPen(QPen(QColor(color), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            y0, y1 = (r.top(), r.top() + self.LANE) if top else (r.bottom() - self.LANE, r.bottom())
            p.drawLines([QPointF(x, y) for x in cols for y in (y0, y1)])
        self._paint_strip(p, t0, t1)
        self._paint_header(p, r, t0, t1)

    def _paint_header(self, p: QPainter, r: QRectF, t0: float, t1: float) -> None:
        """A legend on the left; on the right the stretch shown, when it is not the whole session."""
        y = r.top() - self.HEADER
        row = QRectF(r.left(), y, r.width(), self.HEADER - 2)
        mid = row.center().y()
        x = row.left()
        fm = p.fontMetrics()
        for kind, color, label in (("line", CURVE_COLOR, "provider"), ("dash", CURVE_COLOR, "local estimate"),
                                   ("tick", FLAG_COLOR, "flag"), ("tick", REVIEW_FLAG_COLOR, "review flag"),
                                   ("tick", MARK_COLOR, "mark")):
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
            p.drawText(QRectF(x, y, 200, self.HEADER - 2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            x += fm.horizontalAdvance(label) + 12
        view = self.view()
        if self._shows_whole(t0, t1):
            hint = "wheel: zoom in"
        elif view.start is None:
            hint = f"the last {timestamp(t1 - t0)}{' (following)' if self.live else ''} · double-click: whole session"
        else:
            hint = f"{timestamp(t0)}–{timestamp(min(t1, self.end))} of {timestamp(self.end)} · double-click: whole session"
        if fm.horizontalAdvance(hint) < row.right() - x:
            p.setPen(QColor(TEXT_COLOR))
            p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, hint)

    def _paint_curve(self, p: QPainter, r: QRectF, t0: float, t1: float) -> None:
        f = self._frame(t0, t1)
        half = smoothing_half_width(t1 - t0, self.series.typical_gap())
        runs = _runs(self.series.smoothed(t0, t1, max(2, int(r.width() // 3)), half))
        pts = [_points(f, run) for run in runs]  # each sample mapped once, for the fill and the line
        zero = f.y(0.0)
        # stretches where only the local estimate answered: a grey band behind the curve
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(LOCAL_BAND_COLOR))
        c = self._curve_rect()
        parts = [(k, i, j, local) for k, run in enumerate(runs) for i, j, local in _by_local(run)]
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
        visible = self.series.between(t0, t1)
        if room_for_points(len(visible), r.width()):
            for pt in visible:
                color = QColor(SENTIMENT_COLORS.get(pt.label, "#9aa0a6"))
                p.setPen(QPen(color, 1.5))
                p.setBrush(Qt.BrushStyle.NoBrush if pt.local else color)
                p.drawEllipse(QPointF(f.x(pt.at), f.y(pt.score)), 3, 3)

    def _paint_strip(self, p: QPainter, t0: float, t1: float) -> None:
        """The whole session, small, with the stretch shown as a handle."""
        s = self._strip()
        _, total = WHOLE.range(self.end)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#f1f2f4"))
        p.drawRect(s)
        samples = self.series.smoothed(0.0, total, max(2, int(s.width() // 4)), smoothing_half_width(total, self.series.typical_gap()))
        p.setPen(QPen(QColor("#9aa0a6"), 1))
        f = _Frame(s.left(), s.width(), 0.0, total, s.center().y(), s.height() / 2 - 1)
        for run in _runs(samples):
            p.drawPolyline(QPolygonF(_points(f, run)))
        if self._shows_whole(t0, t1):
            return
        handle = QRectF(s.left() + s.width() * t0 / total, s.top(), max(3.0, s.width() * (t1 - t0) / total), s.height())
        fill = QColor(MARK_COLOR)
        fill.setAlpha(35)
        p.setBrush(fill)
        p.setPen(QPen(QColor(MARK_COLOR), 1))
        p.drawRect(handle)


def _runs(samples: list[Sample]) -> list[list[Sample]]:
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


def _by_local(run: list[Sample]) -> list[tuple[int, int, bool]]:
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


def _points(f: _Frame, run: list[Sample]) -> list[QPointF]:
    """The pixels of a run of samples (all with a score), computed inline: this is the paint's inner loop."""
    k = f.width / (f.t1 - f.t0)
    x0 = f.left - f.t0 * k
    return [QPointF(x0 + s.at * k, f.mid - f.half * s.score) for s in run]  # type: ignore[operator]
