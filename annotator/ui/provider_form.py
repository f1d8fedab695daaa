"""One provider's form in the settings: each field, the reason a value is refused
right under it (its place kept while empty, so fields never move under the
mouse), the key field (write-only) and the "Test" button with its outcome.

Validation is ``annotator.config.validation``'s; the form only shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from annotator.config.schema import PROVIDER_KINDS, ProviderConfig
from annotator.config.validation import is_reasoning_model, validate_provider
from annotator.models import Attempt
from annotator.ui.format import attempt_reason, outcome_color
from annotator.ui.labels import plain_label, reason_label, show_reason

LONG_REASONS = {"base_url": 3, "model": 3}
"""Lines kept free under these fields: their reasons (plain http to another host, a reasoning model) are long."""
SLOW_MODEL_WARNING = (
    "Reasoning models think for tens of seconds before answering: too slow for live analysis. "
    "Tick this only if you accept flags arriving long after the words."
)


class ProviderForm(QWidget):
    """Edits one ``ProviderConfig``; shows each validation reason next to its field.

    Signals:
        changed(ProviderConfig): the values in the form, after any edit.
        test_requested(): the user pressed "Test".
    """

    changed = Signal(object)
    test_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._base: ProviderConfig | None = None
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        self.errors: dict[str, QLabel] = {}
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        self.kind.addItems(PROVIDER_KINDS)
        self.kind.setItemData(
            0,
            "OpenAI-compatible chat completions (Cerebras, NVIDIA, Kimi, Groq, OpenRouter, Ollama, ...)",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.kind.setItemData(1, "Anthropic Messages API", Qt.ItemDataRole.ToolTipRole)
        self.base_url = QLineEdit(self)
        self.base_url.setPlaceholderText("https://api.example.com/v1")
        self.model = QLineEdit(self)
        self.api_key_env = QLineEdit(self)
        self.api_key_env.setPlaceholderText("optional, e.g. MOONSHOT_API_KEY")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_state = plain_label("", self, name="hint")
        self.timeouts = {
            n: self._seconds() for n in ("connect_timeout_s", "first_token_timeout_s", "stall_timeout_s", "timeout_s")
        }
        self.prices = {n: self._price() for n in ("price_in_per_mtok", "price_out_per_mtok")}
        self.allow_slow = QCheckBox("Allow a slow reasoning model", self)
        self.slow_warning = reason_label(self, LONG_REASONS["model"], name="warning")
        self.slow_warning.setText(SLOW_MODEL_WARNING)
        self.test_button = QPushButton("Test", self)
        self.test_button.setToolTip(
            "Send one tiny request to this provider (the same check as annotator providers --check)"
        )
        self.test_result = plain_label("", self, wrap=True)

        # (label, widget, the field whose reason goes right under this row): only fields the
        # form can make invalid get a reason (kind is a list, the numbers have a floor, an
        # empty key variable means none)
        rows: list[tuple[str, QWidget, str | None]] = [
            ("Name", self.name, "name"),
            ("Kind", self.kind, None),
            ("Base URL", self.base_url, "base_url"),
            ("Model", self.model, None),
            ("", self.allow_slow, "model"),
            ("Key variable", self.api_key_env, None),
            ("Key", self.key, None),
            ("", self.key_state, None),
            ("Connect timeout (s)", self.timeouts["connect_timeout_s"], None),
            ("First token within (s)", self.timeouts["first_token_timeout_s"], None),
            ("Longest silence (s)", self.timeouts["stall_timeout_s"], None),
            ("Whole attempt (s)", self.timeouts["timeout_s"], None),
            ("Input price ($/M tokens)", self.prices["price_in_per_mtok"], None),
            ("Output price ($/M tokens)", self.prices["price_out_per_mtok"], None),
        ]
        r = 0
        for text, widget, fname in rows:
            grid.addWidget(QLabel(text, self), r, 0)
            grid.addWidget(widget, r, 1)
            r += 1
            if fname is not None:  # the reason a value is refused, right under its field
                err = reason_label(self, LONG_REASONS.get(fname, 1))
                self.errors[fname] = err
                grid.addWidget(err, r, 1)
                if fname == "model":  # refused, or allowed and warned: never both, so they share the place
                    grid.addWidget(self.slow_warning, r, 1)
                r += 1
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        grid.addLayout(test_row, r, 0, 1, 2)
        grid.setRowStretch(r + 1, 1)
        grid.setVerticalSpacing(4)

        for w in (self.name, self.base_url, self.model, self.api_key_env):
            w.textChanged.connect(self._emit)
        self.kind.currentIndexChanged.connect(self._emit)
        self.allow_slow.toggled.connect(self._emit)
        for spin in (*self.timeouts.values(), *self.prices.values()):
            spin.valueChanged.connect(self._emit)
        self.test_button.clicked.connect(self.test_requested.emit)

    def _seconds(self) -> QDoubleSpinBox:
        s = QDoubleSpinBox(self)
        s.setRange(0.1, 600.0)  # a time limit of 0 is refused: the box does not offer it
        s.setDecimals(1)
        s.setSingleStep(0.5)
        return s

    def _price(self) -> QDoubleSpinBox:
        s = QDoubleSpinBox(self)
        s.setRange(0.0, 1000.0)
        s.setDecimals(3)
        s.setSingleStep(0.05)
        return s

    def load(self, p: ProviderConfig, key_state: str) -> None:
        self._loading = True
        self._base = p
        self.name.setText(p.name)
        self.kind.setCurrentIndex(max(0, self.kind.findText(p.kind)))
        self.base_url.setText(p.base_url)
        self.model.setText(p.model)
        self.api_key_env.setText(p.api_key_env or "")
        self.key.clear()
        self.key.setPlaceholderText("paste a new key (kept in the OS keyring)")
        self.key_state.setText(key_state)
        for n, spin in self.timeouts.items():
            spin.setValue(float(getattr(p, n)))
        for n, spin in self.prices.items():
            spin.setValue(float(getattr(p, n)))
        self.allow_slow.setChecked(p.allow_slow_model)
        self.clear_test()
        self._loading = False
        self.show_problems(validate_provider(p))

    def value(self) -> ProviderConfig:
        assert self._base is not None
        return replace(
            self._base,
            name=self.name.text().strip(),
            kind=self.kind.currentText(),
            base_url=self.base_url.text().strip(),
            model=self.model.text().strip(),
            api_key_env=self.api_key_env.text().strip() or None,
            allow_slow_model=self.allow_slow.isChecked(),
            connect_timeout_s=self.timeouts["connect_timeout_s"].value(),
            first_token_timeout_s=self.timeouts["first_token_timeout_s"].value(),
            stall_timeout_s=self.timeouts["stall_timeout_s"].value(),
            timeout_s=self.timeouts["timeout_s"].value(),
            price_in_per_mtok=self.prices["price_in_per_mtok"].value(),
            price_out_per_mtok=self.prices["price_out_per_mtok"].value(),
        )

    def _emit(self) -> None:
        if self._loading or self._base is None:
            return
        p = self.value()
        self.show_problems(validate_provider(p))
        self.clear_test()  # the result was for the values before this edit
        self.changed.emit(p)

    def show_problems(self, problems: Sequence[tuple[str, str]]) -> None:
        by_field: dict[str, list[str]] = {}
        for fname, reason in problems:
            by_field.setdefault(fname, []).append(reason)
        for fname, label in self.errors.items():
            show_reason(label, "; ".join(by_field.get(fname, ())))
        # the refusal says what is wrong; once overridden, the warning stays as a reminder
        self.slow_warning.setVisible(is_reasoning_model(self.model.text()) and self.allow_slow.isChecked())

    def clear_test(self) -> None:
        self.test_result.clear()
        self.test_result.setStyleSheet("")

    def show_test(self, attempt: Attempt) -> None:
        mark = "✔" if attempt.ok else "✖"
        self.test_result.setText(f"{mark} {attempt_reason(attempt)}")
        self.test_result.setStyleSheet(f"color: {outcome_color(attempt.outcome)};")
