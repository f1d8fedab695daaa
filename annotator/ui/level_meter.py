"""A small horizontal level meter for one audio source."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class LevelMeter(QWidget):
    """Paints the latest input level (0..1) as a bar, green to amber to red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self.level = 0.0
        self.setFixedHeight(5)  # a thin bar under the input picker, as wide as it
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setToolTip("Input level")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(70, 5)

    def set_level(self, level: float) -> None:
        level = max(0.0, min(1.0, level))
        if abs(level - self.level) > 0.005:
            self.level = level
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QColor("#c5c9cf"))
        p.setBrush(QColor("#f1f2f4"))
        p.drawRoundedRect(r, 2, 2)
        if self.level > 0:
            color = "#2e9d5b" if self.level < 0.7 else "#e0a030" if self.level < 0.9 else "#d0453a"
            p.setPen(QColor(0, 0, 0, 0))
            p.setBrush(QColor(color))
            p.drawRoundedRect(QRectF(r.left() + 1, r.top() + 1, (r.width() - 2) * self.level, r.height() - 2), 1, 1)
        p.end()
