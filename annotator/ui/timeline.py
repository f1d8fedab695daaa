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
the view or the size changed (hover only draws a hairline over it). Where the
parts sit is ``timeline_geometry``; the chart's drawing is ``timeline_paint``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHideEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from annotator.models import Chunk
from annotator.ui.labels import plain_label
from annotator.ui.timeline_geometry import Frame, Layout
from annotator.ui.timeline_model import (
    FOLLOW,
    WHOLE,
    Lines,
    Moments,
    Point,
    Series,
    View,
    centred,
    line_tip,
    panned,
    shows_whole,
    wheel_factor,
    zoomed,
)
from annotator.ui.timeline_paint import CURVE_COLOR, Chart, paint_chart

__all__ = ["Point", "SentimentTimeline"]

DRAG_PX = 4  # a press that moves further than this is a drag, not a click
HIT_PX = 10  # hover and click reach the nearest line within this many pixels


class SentimentTimeline(QWidget):
    """Sentiment over time.

    Signals:
        chunk_clicked(int): the user clicked the timeline; the id of the line nearest the pointer.
        view_changed(): the stretch shown changed (zoom, scroll, follow).
    """

    chunk_clicked = Signal(int)
    view_changed = Signal()

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
        self.notes: list[tuple[float, str]] = []  # (at, note) of the marks that have one
        self.end = 0.0
        self.live = False
        self.user_view: View | None = None  # None: follow while live, whole otherwise
        self.hovered: Chunk | None = None
        self._hover_x = 0.0  # where the pointer hovers it
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

    def name_speaker(self, speaker: str, name: str) -> None:
        """Speaker ``speaker`` was renamed: hovering its lines says the new name (at once, if shown)."""
        self.lines.name_speaker(speaker, name)
        if self.hovered is not None and self.hovered.speaker == speaker and self.tip.isVisible():
            self.hovered = self.hovered.named({speaker: name})
            self.tip.setText(self.hover_text(self.hovered, self._hover_x))
            self.tip.adjustSize()

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

    def add_mark(self, at: float, note: str = "") -> None:
        """A mark's tick; its note (if any) shows in the tip of the line it sits on."""
        self._marks.add(at)
        if note:
            self.notes.append((at, note))
        self._changed(at)

    def notes_near(self, at: float, reach: float) -> list[str]:
        return [note for t, note in self.notes if abs(t - at) <= reach]

    def clear(self) -> None:
        self.series.clear()
        self.lines.clear()
        for m in (self._flags, self._review_flags, self._marks):
            m.clear()
        self.notes.clear()
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

    def _set_view(self, view: View | None) -> None:
        before = self.view_range()
        self.user_view = view
        self.update()
        if self.view_range() != before:
            self.view_changed.emit()

    # -- geometry --------------------------------------------------------------
    def _layout(self) -> Layout:
        return Layout(self.width(), self.height())

    def _plot(self) -> QRectF:
        """The chart: flag lane, curve, mark lane."""
        return QRectF(*self._layout().plot)

    def _curve_rect(self) -> QRectF:
        return QRectF(*self._layout().curve)

    def _strip(self) -> QRectF:
        return QRectF(*self._layout().strip)

    def _frame(self, t0: float, t1: float) -> Frame:
        return self._layout().frame(t0, t1)

    def time_at(self, x: float) -> float:
        """The second under the horizontal position ``x``."""
        return self._layout().time_at(x, *self.view_range())

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
        tip = line_tip(chunk, self.series.get(chunk.id) or self._point_at(x))
        notes = self.notes_near(chunk.start, max(HIT_PX * self._seconds_per_px(), chunk.end - chunk.start))
        return tip + "".join(f"\n✎ {note}" for note in notes)

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
        self._hover_x = pos.x()
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
        self._set_view(None if shows_whole(*self.view_range(), self.end) else WHOLE)

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
            paint_chart(p, self._chart(), t0, t1)
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

    def _chart(self) -> Chart:
        """What the pixmap shows: the data, the view and the layout, for ``paint_chart``."""
        return Chart(
            self.series, self._flags, self._review_flags, self._marks, self.end, self.live, self.view(), self._layout()
        )
