"""The sentiment timeline: a small painted chart of sentiment across the session.

Painted by hand (no QtCharts) to keep the bundle lean. One dot per analysed
chunk at its time and score, a line through them, red ticks for flags and
blue ticks for marked moments. Clicking near a dot announces its chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from annotator.ui.format import SENTIMENT_COLORS, signed_score, timestamp, tooltip


@dataclass(frozen=True)
class Point:
    chunk_id: int
    at: float  # seconds
    score: float  # -1..1
    label: str
    local: bool


class SentimentTimeline(QWidget):
    """Sentiment over time.

    Signals:
        chunk_clicked(int): the user clicked the dot of this chunk id.
    """

    chunk_clicked = Signal(int)
    MARGIN_LEFT = 34
    MARGIN = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setMinimumHeight(104)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.points: dict[int, Point] = {}
        self.flags: list[float] = []
        self.review_flags: list[float] = []  # contradictions the post-session review found (purple)
        self.marks: list[float] = []
        self.end = 0.0

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 110)

    def add_point(self, point: Point) -> None:
        self.points[point.chunk_id] = point
        self.end = max(self.end, point.at)
        self.update()

    def add_flag(self, at: float) -> None:
        self.flags.append(at)
        self.end = max(self.end, at)
        self.update()

    def clear_review_flags(self) -> None:
        self.review_flags.clear()
        self.update()

    def add_review_flag(self, at: float) -> None:
        self.review_flags.append(at)
        self.end = max(self.end, at)
        self.update()

    def add_mark(self, at: float) -> None:
        self.marks.append(at)
        self.end = max(self.end, at)
        self.update()

    def extend_to(self, at: float) -> None:
        if at > self.end:
            self.end = at
            self.update()

    def clear(self) -> None:
        self.points.clear()
        self.flags.clear()
        self.review_flags.clear()
        self.marks.clear()
        self.end = 0.0
        self.update()

    # -- geometry --------------------------------------------------------------
    def _plot(self) -> QRectF:
        return QRectF(
            self.MARGIN_LEFT, self.MARGIN, max(1, self.width() - self.MARGIN_LEFT - self.MARGIN), max(1, self.height() - 2 * self.MARGIN - 16)
        )

    def _span(self) -> float:
        return max(60.0, self.end * 1.05)

    def _xy(self, at: float, score: float) -> QPointF:
        r = self._plot()
        x = r.left() + r.width() * (at / self._span())
        y = r.center().y() - (r.height() / 2) * max(-1.0, min(1.0, score))
        return QPointF(x, y)

    def _nearest(self, pos: QPointF) -> Point | None:
        best, best_d = None, 12.0**2
        for p in self.points.values():
            q = self._xy(p.at, p.score)
            d = (q.x() - pos.x()) ** 2 + (q.y() - pos.y()) ** 2
            if d <= best_d:
                best, best_d = p, d
        return best

    # -- events ------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        p = self._nearest(event.position())
        if p is None:
            self.setToolTip("")
        else:
            local = " (local estimate)" if p.local else ""
            self.setToolTip(tooltip(f"{timestamp(p.at)}  {p.label} {signed_score(p.score)}{local}"))
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        p = self._nearest(event.position())
        if p is not None:
            self.chunk_clicked.emit(p.chunk_id)
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._plot()
        painter.fillRect(self.rect(), self.palette().base())
        text = QColor("#6b7280")
        # axes: +1, 0, -1
        painter.setPen(QPen(QColor("#e3e5e8"), 1))
        for score in (1.0, 0.0, -1.0):
            y = self._xy(0, score).y()
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        painter.setPen(text)
        font = painter.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        painter.setFont(font)
        for score, label in ((1.0, "+1"), (0.0, "0"), (-1.0, "−1")):
            y = self._xy(0, score).y()
            painter.drawText(QRectF(0, y - 7, self.MARGIN_LEFT - 6, 14), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        # time labels
        span = self._span()
        step = next(s for s in (30, 60, 120, 300, 600, 900, 1800, 3600, 7200) if span / s <= 8)
        t = 0.0
        while t <= span:
            x = self._xy(t, 0).x()
            left = min(max(0.0, x - 30), self.width() - 60.0)  # keep the last label inside the widget
            painter.drawText(QRectF(left, r.bottom() + 8, 60, 14), Qt.AlignmentFlag.AlignHCenter, timestamp(t))
            t += step
        # flags and marks
        for at, color in [(a, "#d0453a") for a in self.flags] + [(a, "#6d3fc4") for a in self.review_flags] + [
            (a, "#3b6fd1") for a in self.marks
        ]:
            x = self._xy(at, 0).x()
            painter.setPen(QPen(QColor(color), 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        # the line and dots
        pts = sorted(self.points.values(), key=lambda p: p.at)
        if len(pts) > 1:
            path = QPainterPath(self._xy(pts[0].at, pts[0].score))
            for p in pts[1:]:
                path.lineTo(self._xy(p.at, p.score))
            painter.setPen(QPen(QColor("#9aa0a6"), 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        for p in pts:
            color = QColor(SENTIMENT_COLORS.get(p.label, "#9aa0a6"))
            painter.setPen(QPen(color, 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush if p.local else color)
            painter.drawEllipse(self._xy(p.at, p.score), 4, 4)
        if not pts:
            painter.setPen(text)
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, "Sentiment over time appears here as the conversation is analysed.")
        painter.end()
