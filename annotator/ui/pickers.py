"""The toolbar's two pickers: the input device to record from, and the replay speed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

SPEEDS: tuple[tuple[str, float], ...] = (("1×", 1.0), ("2×", 2.0), ("4×", 4.0), ("max", 0.0))
"""Replay speeds offered; 0.0 means as fast as possible (the pipeline's ``MAX_SPEED``)."""


class DevicePicker(QComboBox):
    """The input to record from; the first entry (data None) is the configured inputs, or the default."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceCombo")
        self.setMinimumContentsLength(11)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("Input device to record from")
        self.addItem("Default input", None)

    def set_devices(self, devices: Sequence[tuple[str, str]], configured: Sequence[str] = ()) -> None:
        """Offer these input devices as (id, label) pairs. The first entry records what
        Settings > Input names (``configured``: your microphone, and the other side), or
        the system's default input when nothing is configured."""
        self.blockSignals(True)
        self.clear()
        first = "Default input" if not configured else "Settings: " + " + ".join(configured)
        self.addItem(first, None)
        self.setItemData(0, first, Qt.ItemDataRole.ToolTipRole)
        for dev_id, label in devices:
            self.addItem(label, dev_id)
            self.setItemData(self.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.setCurrentIndex(0)
        self.blockSignals(False)

    def devices(self) -> list[tuple[str, str]]:
        """The input devices offered, as (id, label) pairs (without the first entry)."""
        return [(self.itemData(i), self.itemText(i)) for i in range(1, self.count())]


class SpeedPicker(QComboBox):
    """The replay speed (data: the factor, 0.0 = as fast as possible)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Replay speed")
        for label, speed in SPEEDS:
            self.addItem(label, speed)

    def speed(self) -> float:
        return float(self.currentData())

    def set_speed(self, speed: float) -> None:
        """Select this speed, adding it if it is not offered."""
        if self.findData(speed) < 0:
            self.addItem(f"{speed:g}×", speed)
        self.setCurrentIndex(self.findData(speed))
