"""The settings dialog: provider chain, keys, transcription, input devices.

The chain being edited is a ``ChainDraft`` (``annotator.ui.chain_draft``, no
Qt); one provider's fields are a ``ProviderForm``. Validation is
``annotator.config.validation``'s; the dialog only shows each reason next to
its field and refuses to save while any remains. Keys go into the OS keyring
(a backend passed in) and are never shown again, never written to the config
file. The "Test" button runs the same check as ``annotator providers --check``
on the asyncio loop through the bridge, so the dialog never blocks; the
keyring reads and writes and the config file write run in a worker thread for
the same reason (an OS keyring may take seconds, or ask to be unlocked).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
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

from annotator.config.keys import KeyringStore
from annotator.config.schema import Config, ProviderConfig
from annotator.config.validation import validate_analysis, validate_provider, validate_transcription
from annotator.models import Attempt
from annotator.paths import model_cache_dir
from annotator.transcription.catalog import BUNDLED, MODELS
from annotator.ui.bridge import Bridge
from annotator.ui.chain_draft import LOOKING_HINT, ChainDraft, has_stored_key, key_hint, store_settings
from annotator.ui.labels import reason_label, show_reason
from annotator.ui.model_picker import Downloader, ModelPicker
from annotator.ui.provider_form import ProviderForm

Checker = Callable[[ProviderConfig, str | None], Coroutine[Any, Any, Attempt]]
"""Runs one check of a provider; gets the key typed in the dialog (None: look it up)."""

TRANSCRIPTION_MODELS = (
    "",
    "tiny.en",
    "base.en",
    "small.en",
    "medium.en",
    "tiny",
    "base",
    "small",
    "medium",
    "large-v3",
    "distil-large-v3",
)


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
        model_cache: Path | None = None,
        downloader: Downloader | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(900, 600)
        self.config = config
        self.chain = ChainDraft(config.providers)
        self._stored: dict[str, bool] = {}  # provider name -> a key is in the keyring (read off the GUI thread)
        self._looking: set[str] = set()
        self._keyring = keyring_backend
        self._bridge = bridge
        self._checker = checker
        self._env = env
        self._row = -1
        self._model_cache = model_cache if model_cache is not None else model_cache_dir()
        self._downloader = downloader

        tabs = QTabWidget(self)
        self.tabs = tabs
        tabs.addTab(self._providers_tab(), "Providers")
        tabs.addTab(self._transcription_tab(), "Transcription")
        tabs.addTab(self._input_tab(devices), "Input")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.error = reason_label(self, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(tabs, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self._fill_list()
        if self.chain.providers:
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
        self.deadline_error = reason_label(tab)
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
        model_edit = self.whisper_model.lineEdit()  # an editable combo box always has one
        assert model_edit is not None
        model_edit.setPlaceholderText("bundled offline tiny.en")
        self.whisper_model.setCurrentText(t.model or "")
        self.language = QLineEdit(t.language or "", tab)
        self.language.setPlaceholderText("detect")
        self.beam = QSpinBox(tab)
        self.beam.setRange(1, 10)
        self.beam.setValue(t.beam_size)
        form.addRow("Model (name or folder)", self.whisper_model)
        hint = QLabel(
            "Larger models are more accurate and slower; a name other than the bundled tiny.en is downloaded once.", tab
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        form.addRow("", hint)
        form.addRow("Language code", self.language)
        form.addRow("Beam size", self.beam)
        self.second_pass_model = QComboBox(tab)
        self.second_pass_model.setEditable(True)
        self.second_pass_model.addItems([m.name for m in MODELS])
        self.second_pass_model.setCurrentText(t.second_pass_model or "")
        form.addRow("Second pass model", self.second_pass_model)
        extra = {} if self._downloader is None else {"downloader": self._downloader}
        self.models = ModelPicker(self._bridge, self._model_cache, parent=tab, **extra)
        self.models.select(t.model or BUNDLED)
        self.models.chosen.connect(self._model_chosen)
        form.addRow(self.models)
        return tab

    def _model_chosen(self, role: str, name: str) -> None:
        if role == "live":
            self.whisper_model.setCurrentText("" if name == BUNDLED else name)
        else:
            self.second_pass_model.setCurrentText(name)

    def _input_tab(self, devices: Sequence[tuple[str, str]]) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        chosen = [*self.config.audio.devices, "", ""]
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
        p = self.chain.providers[row]
        hint = key_hint(p, typed=row in self.chain.new_keys, env=self._env, stored=self._stored.get(p.name))
        if hint is None:
            self._look_up_key(p)
            return LOOKING_HINT
        return hint

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

        self._bridge.run_blocking(
            has_stored_key,
            self._keyring,
            p,
            what="Looking up a key in the OS keyring",
            on_result=found,
            on_failure=failed,
        )

    def _refresh_key_state(self) -> None:
        if self.chain.has(self._row):
            self.form.key_state.setText(self._key_state(self._row))

    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.chain.providers:
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
        has = self.chain.has(row)
        self.form.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self.chain.providers) - 1)
        if has:
            self.form.load(self.chain.providers[row], self._key_state(row))

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.chain.set_enabled(self.list.row(item), item.checkState() == Qt.CheckState.Checked)

    def _on_form_changed(self, p: ProviderConfig) -> None:
        if not self.chain.has(self._row):
            return
        self.chain.edit(self._row, p)
        item = self.list.item(self._row)
        self.list.blockSignals(True)
        item.setText(f"{p.name} — {p.model}")
        item.setForeground(Qt.GlobalColor.red if validate_provider(p) else self.palette().text().color())
        self.list.blockSignals(False)
        self._refresh_key_state()  # a key variable typed, a name the keyring knows

    def _on_key_edited(self, text: str) -> None:
        if self.chain.has(self._row):
            self.chain.type_key(self._row, text)
            self._refresh_key_state()
            self.form.clear_test()  # that result was for the key before

    def add_provider(self) -> None:
        row = self.chain.add()
        self._fill_list()
        self.list.setCurrentRow(row)

    def remove_provider(self) -> None:
        if not self.chain.has(self._row):
            return
        row = self.chain.remove(self._row)
        self._fill_list()
        self.list.setCurrentRow(row)

    def move_provider(self, delta: int) -> None:
        to = self.chain.move(self._row, delta)
        if to is not None:
            self._fill_list()
            self.list.setCurrentRow(to)

    # -- test -------------------------------------------------------------------------------
    def test_current(self) -> None:
        row = self._row
        if not self.chain.has(row):
            return
        p = self.chain.providers[row]
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
        key = self.chain.new_keys.get(row)

        def still_shown() -> bool:
            """The form still shows the values tested (no other row, no edit since)."""
            return self._row == row and self.chain.providers[row] == p and self.chain.new_keys.get(row) == key

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
            second_pass_model=self.second_pass_model.currentText().strip() or None,
        )
        devices = tuple(d for d in (str(b.currentData() or "") for b in self.device_boxes) if d)
        audio = replace(self.config.audio, devices=devices, save_audio=self.save_audio.isChecked())
        analysis = replace(self.config.analysis, deadline_s=self.deadline.value())
        return replace(
            self.config,
            analysis=analysis,
            providers=tuple(self.chain.providers),
            transcription=transcription,
            audio=audio,
        )

    def problems(self) -> list[tuple[int, str, str]]:
        """Every problem as (provider row or -1, field, reason)."""
        analysis = replace(self.config.analysis, deadline_s=self.deadline.value())
        transcription = self.result_config().transcription
        return [
            *self.chain.problems(),
            *((-1, f, r) for f, r in validate_analysis(analysis)),
            *((-1, f, r) for f, r in validate_transcription(transcription)),
        ]

    def save(self) -> None:
        """Validate, then store new keys in the keyring and write the config off the
        GUI thread; ``saved`` is emitted and the dialog closes once both are done.
        Refuses with reasons otherwise."""
        problems = self.problems()
        show_reason(self.deadline_error, "; ".join(r for row, f, r in problems if row < 0 and f == "deadline_s"))
        if problems:
            row, fname, reason = problems[0]
            if row >= 0:
                self.tabs.setCurrentIndex(0)
                self.list.setCurrentRow(row)
                self.form.show_problems([(f, r) for rr, f, r in problems if rr == row])
                show_reason(self.error, f"Not saved: provider {self.chain.providers[row].name!r}: {fname} {reason}.")
            else:
                show_reason(self.error, f"Not saved: {fname} {reason}.")
            return
        if self.chain.new_keys and self._keyring is None:
            show_reason(
                self.error,
                "Not saved: no OS keyring is available to hold the key. "
                "Set the provider's key variable in the environment instead.",
            )
            return
        config = self.result_config()
        keys = self.chain.keys_to_store()
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setEnabled(False)
        show_reason(self.error, "")

        def written(outcome: Path | str) -> None:
            save_button.setEnabled(True)
            if isinstance(outcome, str):
                show_reason(self.error, outcome)
                return
            self.chain.new_keys.clear()
            self._stored.update((name, True) for name, _key in keys)
            self.config = replace(config, path=outcome)
            self.saved.emit(self.config)
            self.accept()

        self._bridge.run_blocking(
            store_settings,
            self._keyring,
            keys,
            config,
            what="Saving the settings",
            on_result=written,
            on_failure=lambda _err: save_button.setEnabled(True),
        )
