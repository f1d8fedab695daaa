"""The status bar: recording state, who answered last, a dot per provider, tokens and cost."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from annotator.models import Analysis, Attempt, Outcome
from annotator.ui.format import (
    Usage,
    answered_by,
    attempt_reason,
    outcome_color,
    tooltip,
)
from annotator.ui.labels import plain_label


class ProviderDots(QWidget):
    """A coloured dot per provider in chain order; the tooltip says its last outcome and why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lay = QHBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(6)
        self.dots: dict[str, QLabel] = {}

    def set_providers(self, names: Iterable[str]) -> None:
        for dot in self.dots.values():
            dot.deleteLater()
        self.dots.clear()
        for name in names:
            self._dot(name)

    def _dot(self, name: str) -> QLabel:
        dot = self.dots.get(name)
        if dot is None:
            dot = plain_label("", self, name="providerDot")
            self.dots[name] = dot
            self._lay.addWidget(dot)
            self._paint(dot, name, None, f"{name}: not used yet")
        return dot

    def _paint(self, dot: QLabel, name: str, color: str | None, tip: str) -> None:
        dot.setText(f"● {name}")
        dot.setStyleSheet(f"color: {color or outcome_color(None)};")
        dot.setToolTip(tooltip(tip))

    def set_states(self, states: Iterable[Any]) -> None:
        """Show the chain as ``Analyzer.providers_state()`` reports it (name, model,
        unavailable, misconfigured, retry_in_s, last)."""
        names = [s.name for s in states]
        if names != list(self.dots):
            self.set_providers(names)
        for s in states:
            dot = self.dots[s.name]
            last = getattr(s, "last", None)
            if s.unavailable is not None:
                self._paint(dot, s.name, None, f"{s.name} ({s.model}): not in the chain: {s.unavailable or 'unavailable'}")
            elif getattr(s, "misconfigured", None):
                self._paint(dot, s.name, outcome_color(Outcome.MISCONFIGURED), f"{s.name} ({s.model}): skipped this session: {s.misconfigured}")
            elif last is not None:
                retry = getattr(s, "retry_in_s", None)
                wait = f"\nnot called again for {retry:.0f} s (Retry-After)" if retry else ""
                self._paint(dot, s.name, outcome_color(last.outcome), f"{s.model}\n{attempt_reason(last)}{wait}")
            else:
                self._paint(dot, s.name, None, f"{s.name} ({s.model}): ready, not used yet")

    def update_from(self, attempts: Iterable[Attempt]) -> None:
        for a in attempts:
            self._paint(self._dot(a.provider), a.provider, outcome_color(a.outcome), f"{a.model}\n{attempt_reason(a)}")

    def tip(self, name: str) -> str:
        dot = self.dots.get(name)
        return "" if dot is None else dot.toolTip()


class StatusBar(QStatusBar):
    """Permanent fields, left to right: state, last answer, provider dots, usage."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.state = plain_label("", self, name="stateLabel")
        self.answer = plain_label("", self, name="answerLabel")
        self.providers = ProviderDots(self)
        self.usage_label = plain_label("", self, name="usageLabel")
        self.usage = Usage()
        self.addWidget(self.state)
        self.addWidget(self.answer, 1)
        self.addPermanentWidget(self.providers)
        self.addPermanentWidget(self.usage_label)
        self.set_state("Idle")
        self.answer.setText("No analysis yet")
        self.usage_label.setText(self.usage.text())

    def set_state(self, text: str) -> None:
        self.state.setText(text)
        self.state.setProperty("recording", text.startswith("●"))
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)

    def show_analysis(self, analysis: Analysis) -> None:
        self.answer.setText(f"Last answer: {answered_by(analysis)}")
        self.answer.setToolTip(tooltip("\n".join(attempt_reason(a) for a in analysis.attempts) or answered_by(analysis)))
        self.providers.update_from(analysis.attempts)
        self.usage = self.usage.add(analysis.attempts)
        self.usage_label.setText(self.usage.text())

    def add_usage(self, attempts: Iterable[Attempt]) -> None:
        """Count more attempts in the tokens and cost total (a post-session review's)."""
        self.usage = self.usage.add(attempts)
        self.usage_label.setText(self.usage.text())

    def reset_usage(self) -> None:
        self.usage = Usage()
        self.usage_label.setText(self.usage.text())
