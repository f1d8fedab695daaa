"""The status bar: recording state, who answered last, a dot per provider, tokens and cost."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStatusBar, QWidget

from annotator.analysis.usage import SESSION, ProviderUsage
from annotator.models import Analysis, Attempt, Outcome
from annotator.text.clock import timestamp
from annotator.ui.format import (
    answered_by,
    attempt_reason,
    outcome_color,
    tooltip,
    usage_text,
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
        style = f"color: {color or outcome_color(None)};"
        if dot.styleSheet() != style:  # a new style sheet re-polishes the widget: only on a change (issue 19)
            dot.setStyleSheet(style)
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
                self._paint(
                    dot, s.name, None, f"{s.name} ({s.model}): not in the chain: {s.unavailable or 'unavailable'}"
                )
            elif getattr(s, "misconfigured", None):
                self._paint(
                    dot,
                    s.name,
                    outcome_color(Outcome.MISCONFIGURED),
                    f"{s.name} ({s.model}): skipped this session: {s.misconfigured}",
                )
            elif last is not None:
                retry = getattr(s, "retry_in_s", None)
                wait = f"\nnot called again for {retry:.0f} s (Retry-After)" if retry else ""
                self._paint(dot, s.name, outcome_color(last.outcome), f"{s.model}\n{attempt_reason(last)}{wait}")
            else:
                self._paint(dot, s.name, None, f"{s.name} ({s.model}): ready, not used yet")

    def tip(self, name: str) -> str:
        dot = self.dots.get(name)
        return "" if dot is None else dot.toolTip()


class StatusBar(QStatusBar):
    """Fields, left to right: state (with the recording's running time), last
    answer, provider dots, usage.

    Every field is a permanent widget: a button's hover tip or a short note
    (``show_note``; ``showMessage`` is routed there too) takes the place of the
    last answer for a while, never of the state. ``clock`` (seconds, monotonic)
    times the recording."""

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.clock = clock
        self._since: float | None = None
        self.current_state = ""  # the state shown, as set (see ``set_state``)
        fields = QWidget(self)
        lay = QHBoxLayout(fields)
        lay.setContentsMargins(0, 0, 12, 0)  # the usage figure keeps clear of the window's edge
        lay.setSpacing(4)
        self.state = plain_label("", fields, name="stateLabel")
        self.elapsed = plain_label("", fields, name="elapsedLabel")
        self.elapsed.setToolTip("How long this recording has run")
        self.elapsed.hide()
        self.answer = plain_label("", fields, name="answerLabel")
        self.note = plain_label("", fields, name="noteLabel")
        self.note.hide()
        for label in (self.answer, self.note):
            label.setSizePolicy(
                QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
            )  # long text is cut, not widening the window
        self.providers = ProviderDots(fields)
        self.usage_label = plain_label("", fields, name="usageLabel")
        self.usage = ProviderUsage(SESSION)
        for w in (self.state, self.elapsed):
            lay.addWidget(w)
        lay.addWidget(self.answer, 1)
        lay.addWidget(self.note, 1)
        lay.addWidget(self.providers)
        lay.addWidget(self.usage_label)
        self.addPermanentWidget(fields, 1)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.timeout.connect(self.clear_note)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.tick)
        self.set_state("Idle")
        self.answer.setText("No analysis yet")
        self.usage_label.setText(usage_text(self.usage))

    def set_state(self, text: str) -> None:
        self.current_state = text  # kept as a value: nobody reads the label back as state
        self.state.setText(text)
        recording = text.startswith("●")
        if self.state.property("recording") != recording:  # re-polished only when the colour changes (issue 19)
            self.state.setProperty("recording", recording)
            self.state.style().unpolish(self.state)
            self.state.style().polish(self.state)

    # -- the recording's running time ---------------------------------------------------
    def start_timer(self) -> None:
        """A recording started: show its running time beside the state, every second."""
        self._since = self.clock()
        self.elapsed.show()
        self.tick()
        self._tick.start()

    def stop_timer(self) -> None:
        """The recording ended: the last figure stays, no longer counting."""
        self._since = None
        self._tick.stop()

    @property
    def timing(self) -> bool:
        return self._tick.isActive()

    def tick(self) -> None:
        if self._since is not None:
            self.elapsed.setText(timestamp(self.clock() - self._since))

    def hide_timer(self) -> None:
        self.stop_timer()
        self.elapsed.clear()
        self.elapsed.hide()

    # -- notes: in place of the last answer, for a while ------------------------------------
    def show_note(self, text: str, timeout_ms: int = 0) -> None:
        """Show ``text`` where the last answer is (``timeout_ms`` 0: until cleared)."""
        if not text:
            self.clear_note()
            return
        self.note.setText(text)
        self.note.show()
        self.answer.hide()
        if timeout_ms > 0:
            self._note_timer.start(timeout_ms)
        else:
            self._note_timer.stop()

    def clear_note(self) -> None:
        self._note_timer.stop()
        self.note.clear()
        self.note.hide()
        self.answer.show()

    def showMessage(self, text: str, timeout: int | None = 0) -> None:  # noqa: N802 - Qt's name
        self.show_note(text, timeout or 0)

    def clearMessage(self) -> None:  # noqa: N802 - Qt's name
        self.clear_note()

    def currentMessage(self) -> str:  # noqa: N802 - Qt's name
        return self.note.text() if self.note.isVisible() else ""

    # -- answers and usage ---------------------------------------------------------------
    def show_analysis(self, analysis: Analysis) -> None:
        self.answer.setText(f"Last answer: {answered_by(analysis)}")
        self.answer.setToolTip(
            tooltip("\n".join(attempt_reason(a) for a in analysis.attempts) or answered_by(analysis))
        )
        self.usage = self.usage.add_all(analysis.attempts)
        self.usage_label.setText(usage_text(self.usage))

    def add_usage(self, attempts: Iterable[Attempt]) -> None:
        """Count more attempts in the tokens and cost total (a post-session review's)."""
        self.usage = self.usage.add_all(attempts)
        self.usage_label.setText(usage_text(self.usage))

    def reset_usage(self) -> None:
        self.usage = ProviderUsage(SESSION)
        self.usage_label.setText(usage_text(self.usage))
