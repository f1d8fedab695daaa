"""The settings dialog: provider chain, keys, transcription, input devices.

Validation is ``annotator.config``'s (``validate_provider`` / ``validate_analysis``);
the dialog only shows each reason next to its field and refuses to save
while any remains. Keys go into the OS keyring (a backend passed in) and are
never shown again, never written to the config file. The "Test" button runs
the same check as ``annotator providers --check`` on the asyncio loop through
the bridge, so the dialog never blocks; the keyring reads and writes and the
config file write run in a worker thread for the same reason (an OS keyring
may take seconds, or ask to be unlocked). A reason under a field has its
place kept while empty, so the fields never move under the mouse.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.config.file import save_config
from annotator.config.keys import KEYRING_SERVICE, KeyringLike, api_key
from annotator.config.schema import PROVIDER_KINDS, Config, ProviderConfig
from annotator.config.validation import is_reasoning_model, validate_analysis, validate_provider
from annotator.errors import ConfigError
from annotator.models import Attempt
from annotator.ui.bridge import Bridge
from annotator.ui.format import attempt_reason, outcome_color
from annotator.ui.labels import plain_label

Checker = Callable[[ProviderConfig, str | None], Coroutine[Any, Any, Attempt]]
"""Runs one check of a provider; gets the key typed in the dialog (None: look it up)."""

TRANSCRIPTION_MODELS = ("", "tiny.en", "base.en", "small.en", "medium.en", "tiny", "base", "small", "medium", "large-v3", "distil-large-v3")
LONG_REASONS = {"base_url": 3, "model": 3}
"""Lines kept free under these fields: their reasons (plain http to another host, a reasoning model) are long."""
SLOW_MODEL_WARNING = (
    "Reasoning models think for tens of seconds before answering: too slow for live analysis. "
    "Tick this only if you accept flags arriving long after the words."
)


class KeyringStore(KeyringLike, Protocol):
    """What the dialog needs from a keyring backend (``keyring`` itself, or a
    ``keyring.backend.KeyringBackend``): read and write one password."""

    def set_password(self, service_name: str, username: str, password: str) -> None:
        """Store ``password`` for ``username`` under ``service_name``."""


def _error_label(parent: QWidget, lines: int = 1, name: str = "fieldError") -> QLabel:
    """A line for the reason a value is refused, its space kept while it is empty:
    a reason appearing must not move the fields under the mouse. Longer text than
    ``lines`` holds is cut; the tooltip has all of it."""
    label = plain_label("", parent, name=name, wrap=True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setFixedHeight(lines * label.fontMetrics().lineSpacing() + 2)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.hide()
    return label


def _show_reason(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setToolTip(text)
    label.setVisible(bool(text))


def store_settings(keyring_backend: KeyringStore | None, keys: Sequence[tuple[str, str]], config: Config) -> Path | str:
    """Store each ``(provider name, key)`` in the keyring, then write ``config``.
    Blocking (the keyring, the file): run it off the GUI thread. Returns the path
    written, or the sentence saying why nothing was."""
    try:
        for name, key in keys:
            assert keyring_backend is not None
            keyring_backend.set_password(KEYRING_SERVICE, name, key)
    except Exception as err:  # noqa: BLE001 - any keyring backend failure is reported, not raised
        return f"Not saved: the OS keyring refused the key ({type(err).__name__}: {err})."
    try:
        return save_config(config)
    except ConfigError as err:
        return f"Not saved: {err}"


def has_stored_key(keyring_backend: KeyringStore | None, provider: ProviderConfig) -> bool:
    """A key for ``provider`` is in the keyring (blocking: run it off the GUI thread)."""
    return api_key(provider, env={}, keyring_backend=keyring_backend) is not None


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
        self.kind.setItemData(0, "OpenAI-compatible chat completions (Cerebras, NVIDIA, Kimi, Groq, OpenRouter, Ollama, ...)", Qt.ItemDataRole.ToolTipRole)
        self.kind.setItemData(1, "Anthropic Messages API", Qt.ItemDataRole.ToolTipRole)
        self.base_url = QLineEdit(self)
        self.base_url.setPlaceholderText("https://api.example.com/v1")
        self.model = QLineEdit(self)
        self.api_key_env = QLineEdit(self)
        self.api_key_env.setPlaceholderText("optional, e.g. MOONSHOT_API_KEY")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_state = plain_label("", self, name="hint")
        self.timeouts = {n: self._seconds() for n in ("connect_timeout_s", "first_token_timeout_s", "stall_timeout_s", "timeout_s")}
        self.prices = {n: self._price() for n in ("price_in_per_mtok", "price_out_per_mtok")}
        self.allow_slow = QCheckBox("Allow a slow reasoning model", self)
        self.slow_warning = _error_label(self, LONG_REASONS["model"], name="warning")
        self.slow_warning.setText(SLOW_MODEL_WARNING)
        self.test_button = QPushButton("Test", self)
        self.test_button.setToolTip("Send one tiny request to this provider (the same check as annotator providers --check)")
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
                err = _error_label(self, LONG_REASONS.get(fname, 1))
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
            **{n: s.value() for n, s in self.timeouts.items()},
            **{n: s.value() for n, s in self.prices.items()},
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
            _show_reason(label, "; ".join(by_field.get(fname, ())))
        # the refusal says what is wrong; once overridden, the warning stays as a reminder
        self.slow_warning.setVisible(is_reasoning_model(self.model.text()) and self.allow_slow.isChecked())

    def clear_test(self) -> None:
        self.test_result.clear()
        self.test_result.setStyleSheet("")

    def show_test(self, attempt: Attempt) -> None:
        mark = "✔" if attempt.ok else "✖"
        self.test_result.setText(f"{mark} {attempt_reason(attempt)}")
        self.test_result.setStyleSheet(f"color: {outcome_color(attempt.outcome)};")


class SettingsDialog(QDialog):
    """Edits a ``Config`` and saves it; keys go to the keyring, never the file.

    Signals:
        saved(Config): the settings were validated and written.
    """

    saved = Signal(object)

    def __init__(
        self,
        config: Config,
        *,
        keyring_backend: KeyringStore | None,
        bridge: Bridge,
        checker: Checker | None = None,
        devices: Sequence[tuple[str, str]] = (),
        env: Mapping[str, str] = os.environ,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(900, 600)
        self.config = config
        self.providers: list[ProviderConfig] = list(config.providers)
        self.new_keys: dict[int, str] = {}  # row -> key typed in this dialog, stored on save
        self._stored: dict[str, bool] = {}  # provider name -> a key is in the keyring (read off the GUI thread)
        self._looking: set[str] = set()
        self._keyring = keyring_backend
        self._bridge = bridge
        self._checker = checker
        self._env = env
        self._row = -1

        tabs = QTabWidget(self)
        self.tabs = tabs
        tabs.addTab(self._providers_tab(), "Providers")
        tabs.addTab(self._transcription_tab(), "Transcription")
        tabs.addTab(self._input_tab(devices), "Input")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.error = _error_label(self, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(tabs, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self._fill_list()
        if self.providers:
            self.list.setCurrentRow(0)

    # -- tabs ----------------------------------------------------------------------
    def _providers_tab(self) -> QWidget:
        tab = QWidget(self)
        h = QHBoxLayout(tab)
        left = QVBoxLayout()
        intro = QLabel("Tried in this order for each chunk; the first to answer wins. Untick to disable.", tab)
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        left.addWidget(intro)
        self.list = QListWidget(tab)
        self.list.currentRowChanged.connect(self._select)
        self.list.itemChanged.connect(self._on_item_changed)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add", tab)
        self.remove_button = QPushButton("Remove", tab)
        self.up_button = QPushButton("Up", tab)
        self.down_button = QPushButton("Down", tab)
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            row.addWidget(b)
        left.addLayout(row)
        deadline_row = QFormLayout()
        self.deadline = QDoubleSpinBox(tab)
        self.deadline.setRange(0.0, 600.0)
        self.deadline.setDecimals(0)
        self.deadline.setValue(self.config.analysis.deadline_s)
        self.deadline.setToolTip("The whole chain gives up on a chunk after this long")
        self.deadline_error = _error_label(tab)
        deadline_row.addRow("Chain deadline (s)", self.deadline)
        deadline_row.addRow("", self.deadline_error)
        left.addLayout(deadline_row)
        self.add_button.clicked.connect(self.add_provider)
        self.remove_button.clicked.connect(self.remove_provider)
        self.up_button.clicked.connect(lambda: self.move_provider(-1))
        self.down_button.clicked.connect(lambda: self.move_provider(1))
        self.form = ProviderForm(tab)
        self.form.changed.connect(self._on_form_changed)
        self.form.key.textEdited.connect(self._on_key_edited)
        self.form.test_requested.connect(self.test_current)
        h.addLayout(left, 2)
        h.addWidget(self.form, 5)
        return tab

    def _transcription_tab(self) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        t = self.config.transcription
        self.whisper_model = QComboBox(tab)
        self.whisper_model.setEditable(True)
        self.whisper_model.addItems(TRANSCRIPTION_MODELS)
        self.whisper_model.setItemText(0, "")
        self.whisper_model.lineEdit().setPlaceholderText("bundled offline tiny.en")
        self.whisper_model.setCurrentText(t.model or "")
        self.language = QLineEdit(t.language or "", tab)
        self.language.setPlaceholderText("detect")
        self.beam = QSpinBox(tab)
        self.beam.setRange(1, 10)
        self.beam.setValue(t.beam_size)
        form.addRow("Model (name or folder)", self.whisper_model)
        hint = QLabel("Larger models are more accurate and slower; a name other than the bundled tiny.en is downloaded once.", tab)
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        form.addRow("", hint)
        form.addRow("Language code", self.language)
        form.addRow("Beam size", self.beam)
        return tab

    def _input_tab(self, devices: Sequence[tuple[str, str]]) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        chosen = list(self.config.audio.devices) + ["", ""]
        self.device_boxes: list[QComboBox] = []
        for label, current in (("Your microphone", chosen[0]), ("The other side (system audio)", chosen[1])):
            box = QComboBox(tab)
            box.addItem("Default input" if not self.device_boxes else "None", "")
            for dev_id, name in devices:
                box.addItem(name, dev_id)
            if current and box.findData(current) < 0:
                box.addItem(f"{current} (not found now)", current)
            box.setCurrentIndex(max(0, box.findData(current)))
            form.addRow(label, box)
            self.device_boxes.append(box)
        self.save_audio = QCheckBox("Save the recorded audio beside the session journal", tab)
        self.save_audio.setChecked(self.config.audio.save_audio)
        form.addRow("", self.save_audio)
        return tab

    # -- provider list ---------------------------------------------------------------
    def _key_state(self, row: int) -> str:
        if row in self.new_keys:
            return "A new key will be stored in the OS keyring when you save."
        p = self.providers[row]
        if p.api_key_env and self._env.get(p.api_key_env, "").strip():
            return f"Key found in ${p.api_key_env}."
        stored = self._stored.get(p.name)
        if stored is None:
            self._look_up_key(p)
            return "Looking for a key in the OS keyring…"
        if stored:
            return "A key is stored in the OS keyring."
        if p.on_loopback:
            return "A local server needs no key."
        return "No key yet: this provider is left out of the chain until you enter one."

    def _look_up_key(self, p: ProviderConfig) -> None:
        """Ask the keyring (which may block, or prompt to unlock) in a worker thread."""
        if p.name in self._looking:
            return
        self._looking.add(p.name)

        def found(stored: bool) -> None:
            self._looking.discard(p.name)
            self._stored[p.name] = stored
            self._refresh_key_state()

        def failed(_err: BaseException) -> None:
            self._looking.discard(p.name)
            self._stored[p.name] = False
            self._refresh_key_state()

        self._bridge.run_blocking(has_stored_key, self._keyring, p, what="Looking up a key in the OS keyring",
                                  on_result=found, on_failure=failed)

    def _refresh_key_state(self) -> None:
        if 0 <= self._row < len(self.providers):
            self.form.key_state.setText(self._key_state(self._row))

    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.providers:
            item = QListWidgetItem(f"{p.name} — {p.model}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if p.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(p.base_url)
            if validate_provider(p):
                item.setForeground(Qt.GlobalColor.red)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def _select(self, row: int) -> None:
        self._row = row
        has = 0 <= row < len(self.providers)
        self.form.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self.providers) - 1)
        if has:
            self.form.load(self.providers[row], self._key_state(row))

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if 0 <= row < len(self.providers):
            self.providers[row] = replace(self.providers[row], enabled=item.checkState() == Qt.CheckState.Checked)

    def _on_form_changed(self, p: ProviderConfig) -> None:
        if not 0 <= self._row < len(self.providers):
            return
        self.providers[self._row] = replace(p, enabled=self.providers[self._row].enabled)
        item = self.list.item(self._row)
        self.list.blockSignals(True)
        item.setText(f"{p.name} — {p.model}")
        item.setForeground(Qt.GlobalColor.red if validate_provider(p) else self.palette().text().color())
        self.list.blockSignals(False)
        self._refresh_key_state()  # a key variable typed, a name the keyring knows

    def _on_key_edited(self, text: str) -> None:
        if 0 <= self._row < len(self.providers):
            if text.strip():
                self.new_keys[self._row] = text.strip()
            else:
                self.new_keys.pop(self._row, None)
            self._refresh_key_state()
            self.form.clear_test()  # that result was for the key before

    def add_provider(self) -> None:
        names = {p.name for p in self.providers}
        n = 1
        while f"provider{n}" in names:
            n += 1
        self.providers.append(ProviderConfig(name=f"provider{n}", kind="openai", base_url="https://", model=""))
        self._fill_list()
        self.list.setCurrentRow(len(self.providers) - 1)

    def remove_provider(self) -> None:
        row = self._row
        if not 0 <= row < len(self.providers):
            return
        del self.providers[row]
        self.new_keys = {(r if r < row else r - 1): k for r, k in self.new_keys.items() if r != row}
        self._fill_list()
        self.list.setCurrentRow(min(row, len(self.providers) - 1))

    def move_provider(self, delta: int) -> None:
        row, to = self._row, self._row + delta
        if not (0 <= row < len(self.providers) and 0 <= to < len(self.providers)):
            return
        self.providers[row], self.providers[to] = self.providers[to], self.providers[row]
        keys = dict(self.new_keys)
        self.new_keys = {(to if r == row else row if r == to else r): k for r, k in keys.items()}
        self._fill_list()
        self.list.setCurrentRow(to)

    # -- test -------------------------------------------------------------------------------
    def test_current(self) -> None:
        row = self._row
        if not 0 <= row < len(self.providers):
            return
        p = self.providers[row]
        problems = validate_provider(p)
        if problems:
            self.form.test_result.setText(f"Fix the {problems[0][0]} first: {problems[0][1]}.")
            return
        if self._checker is None:
            self.form.test_result.setText("Testing is not available here.")
            return
        self.form.test_button.setEnabled(False)
        self.form.test_result.setText("Testing…")
        button = self.form.test_button
        key = self.new_keys.get(row)

        def still_shown() -> bool:
            """The form still shows the values tested (no other row, no edit since)."""
            return self._row == row and self.providers[row] == p and self.new_keys.get(row) == key

        def done(attempt: Attempt) -> None:
            button.setEnabled(True)
            if still_shown():
                self.form.show_test(attempt)

        def failed(err: BaseException) -> None:
            button.setEnabled(True)
            if still_shown():
                self.form.test_result.setText(f"✖ {err}")

        self._bridge.run(self._checker(p, key), what=f"Testing provider {p.name}", on_result=done, on_failure=failed)

    # -- save -------------------------------------------------------------------------------
    def result_config(self) -> Config:
        """The config as edited (not yet validated)."""
        t = self.config.transcription
        transcription = replace(
            t,
            model=self.whisper_model.currentText().strip() or None,
            language=self.language.text().strip() or None,
            beam_size=self.beam.value(),
        )
        devices = tuple(d for d in (str(b.currentData() or "") for b in self.device_boxes) if d)
        audio = replace(self.config.audio, devices=devices, save_audio=self.save_audio.isChecked())
        analysis = replace(self.config.analysis, deadline_s=self.deadline.value())
        return replace(self.config, analysis=analysis, providers=tuple(self.providers), transcription=transcription, audio=audio)

    def problems(self) -> list[tuple[int, str, str]]:
        """Every problem as (provider row or -1, field, reason)."""
        out: list[tuple[int, str, str]] = []
        seen: set[str] = set()
        for row, p in enumerate(self.providers):
            out.extend((row, f, r) for f, r in validate_provider(p))
            if p.name in seen:
                out.append((row, "name", "a provider of that name is already listed"))
            seen.add(p.name)
        out.extend((-1, f, r) for f, r in validate_analysis(replace(self.config.analysis, deadline_s=self.deadline.value())))
        return out

    def save(self) -> None:
        """Validate, then store new keys in the keyring and write the config off the
        GUI thread; ``saved`` is emitted and the dialog closes once both are done.
        Refuses with reasons otherwise."""
        problems = self.problems()
        _show_reason(self.deadline_error, "; ".join(r for row, f, r in problems if row < 0 and f == "deadline_s"))
        if problems:
            row, fname, reason = problems[0]
            if row >= 0:
                self.tabs.setCurrentIndex(0)
                self.list.setCurrentRow(row)
                self.form.show_problems([(f, r) for rr, f, r in problems if rr == row])
                _show_reason(self.error, f"Not saved: provider {self.providers[row].name!r}: {fname} {reason}.")
            else:
                _show_reason(self.error, f"Not saved: {fname} {reason}.")
            return
        if self.new_keys and self._keyring is None:
            _show_reason(self.error, "Not saved: no OS keyring is available to hold the key. "
                                     "Set the provider's key variable in the environment instead.")
            return
        config = self.result_config()
        keys = [(self.providers[row].name, key) for row, key in self.new_keys.items()]
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setEnabled(False)
        _show_reason(self.error, "")

        def written(outcome: Path | str) -> None:
            save_button.setEnabled(True)
            if isinstance(outcome, str):
                _show_reason(self.error, outcome)
                return
            self.new_keys.clear()
            self._stored.update((name, True) for name, _key in keys)
            self.config = replace(config, path=outcome)
            self.saved.emit(self.config)
            self.accept()

        self._bridge.run_blocking(store_settings, self._keyring, keys, config, what="Saving the settings",
                                  on_result=written, on_failure=lambda _err: save_button.setEnabled(True))

