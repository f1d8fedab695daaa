"""The settings dialog: refuses invalid values with reasons, stores keys in a keyring, never in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from annotator import paths
from annotator.config.file import load_config
from annotator.config.keys import KEYRING_SERVICE
from annotator.config.schema import Config, ProviderConfig
from annotator.models import Attempt, Outcome
from annotator.ui.bridge import Bridge
from annotator.ui.settings_dialog import SettingsDialog


class MemoryKeyring(KeyringBackend):
    """A keyring held in memory, passed in (no global keyring state is touched)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


PROVIDER = ProviderConfig(name="local", kind="openai", base_url="http://127.0.0.1:9/v1", model="llama-3.3")


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def dialog(qtbot, aio_loop, bridge: Bridge, keyring: MemoryKeyring) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dlg = SettingsDialog(Config(providers=(PROVIDER,)), keyring_backend=keyring, bridge=bridge, env={})
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_bad_base_url_is_refused_with_reason_next_to_field(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    dialog.form.base_url.setText("ftp//nowhere")
    assert dialog.form.errors["base_url"].isVisible()
    assert "is not an http:// or https:// URL" in dialog.form.errors["base_url"].text()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible()  # refused
    assert "base_url" in dialog.error.text()
    assert not paths.default_config_path().exists()


def test_reasoning_model_needs_override(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    dialog.form.model.setText("deepseek-reasoner")
    assert dialog.form.errors["model"].isVisible()
    assert "reasoning model" in dialog.form.errors["model"].text()
    dialog.save()
    assert dialog.isVisible() and "reasoning model" in dialog.error.text()
    dialog.form.allow_slow.setChecked(True)
    assert not dialog.form.errors["model"].isVisible()
    assert dialog.form.slow_warning.isVisible()  # the override keeps a visible warning
    with qtbot.waitSignal(dialog.saved) as sig:
        dialog.save()
    saved: Config = sig.args[0]
    assert saved.providers[0].model == "deepseek-reasoner" and saved.providers[0].allow_slow_model
    assert load_config(None).providers[0].allow_slow_model


def test_key_goes_to_keyring_not_the_file(qtbot, dialog: SettingsDialog, keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    dialog.form.key.setText("sk-test-123456")
    dialog.form.key.textEdited.emit("sk-test-123456")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert keyring.store[(KEYRING_SERVICE, "local")] == "sk-test-123456"
    text = Path(paths.default_config_path()).read_text()
    assert "sk-test-123456" not in text and 'base_url = "http://127.0.0.1:9/v1"' in text


def test_add_reorder_disable_remove(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    dialog.add_button.click()
    assert dialog.list.count() == 2 and dialog.form.errors["model"].isVisible()
    dialog.form.name.setText("second")
    dialog.form.base_url.setText("https://api.example.test/v1")
    dialog.form.model.setText("some-model")
    dialog.up_button.click()
    assert [p.name for p in dialog.chain.providers] == ["second", "local"]
    dialog.list.item(1).setCheckState(dialog.list.item(1).checkState().Unchecked)
    assert not dialog.chain.providers[1].enabled
    with qtbot.waitSignal(dialog.saved) as sig:
        dialog.save()
    assert [(p.name, p.enabled) for p in sig.args[0].providers] == [("second", True), ("local", False)]


def test_test_button_runs_on_the_loop_and_shows_the_outcome(qtbot, aio_loop, hub, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    checked: list[str] = []

    async def check(p: ProviderConfig, key: str | None) -> Attempt:
        checked.append(p.name)
        assert key is None
        return Attempt(p.name, p.model, Outcome.MISCONFIGURED, 401, 12, detail="invalid key")

    dlg = SettingsDialog(
        Config(providers=(PROVIDER,)), keyring_backend=MemoryKeyring(), bridge=bridge, checker=check, env={}
    )
    qtbot.addWidget(dlg)
    dlg.form.test_button.click()
    assert not dlg.form.test_button.isEnabled()  # running, not blocking
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert checked == ["local"]
    assert "local is misconfigured HTTP 401" in dlg.form.test_result.text()


def test_test_button_calls_the_provider_over_http(qtbot, aio_loop, bridge: Bridge, fault_server) -> None:  # type: ignore[no-untyped-def]
    from annotator.app import check_with_key
    from tests.helpers.faultserver import Reply

    fault_server.script("bad", Reply.status(401))
    nokey = ProviderConfig(name="nokey", kind="openai", base_url="https://api.example.test/v1", model="m")
    providers = (fault_server.provider("good"), fault_server.provider("bad"), nokey)
    dlg = SettingsDialog(
        Config(providers=providers), keyring_backend=MemoryKeyring(), bridge=bridge, env={}, checker=check_with_key
    )
    qtbot.addWidget(dlg)
    dlg.form.test_button.click()
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert dlg.form.test_result.text().startswith("✔ good answered")
    dlg.list.setCurrentRow(1)
    dlg.form.test_button.click()
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert dlg.form.test_result.text().startswith("✖ bad is misconfigured HTTP 401")
    assert [r.provider for r in fault_server.requests] == ["good", "bad"]
    dlg.list.setCurrentRow(2)
    dlg.form.test_button.click()
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert dlg.form.test_result.text().startswith("✖ nokey is misconfigured: no key")
    assert len(fault_server.requests) == 2  # no call without a key


class ThreadRecordingKeyring(MemoryKeyring):
    """Records the thread of every keyring call: the OS keyring may block (or ask to unlock)."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        import threading

        self.threads.append(threading.current_thread().name)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        import threading

        self.threads.append(threading.current_thread().name)
        super().set_password(service, username, password)


def _positions(dialog: SettingsDialog) -> dict[str, int]:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    dialog.form.layout().activate()
    f = dialog.form
    widgets = {
        "name": f.name,
        "base_url": f.base_url,
        "model": f.model,
        "allow_slow": f.allow_slow,
        "key": f.key,
        "api_key_env": f.api_key_env,
        **f.timeouts,
        **f.prices,
        "test": f.test_button,
    }
    return {n: w.mapTo(dialog, w.rect().topLeft()).y() for n, w in widgets.items()}


def test_reasons_appearing_do_not_move_the_fields(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitExposed(dialog)
    before = _positions(dialog)
    dialog.form.base_url.setText("http://192.168.1.20:11434/v1")  # the longest reason: plain http to another host
    dialog.form.name.setText("")
    assert dialog.form.errors["base_url"].isVisible() and dialog.form.errors["name"].isVisible()
    assert _positions(dialog) == before
    dialog.form.model.setText("deepseek-reasoner")
    assert dialog.form.errors["model"].isVisible()
    assert _positions(dialog) == before
    dialog.form.allow_slow.setChecked(True)
    assert dialog.form.slow_warning.isVisible() and not dialog.form.errors["model"].isVisible()
    assert _positions(dialog) == before
    dialog.save()
    assert dialog.error.isVisible()
    assert _positions(dialog) == before


def test_a_test_result_is_cleared_when_its_fields_change(qtbot, aio_loop, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    async def check(p: ProviderConfig, key: str | None) -> Attempt:
        return Attempt(p.name, p.model, Outcome.OK, 200, 12)

    dlg = SettingsDialog(
        Config(providers=(PROVIDER,)), keyring_backend=MemoryKeyring(), bridge=bridge, checker=check, env={}
    )
    qtbot.addWidget(dlg)
    for edit in (
        lambda: dlg.form.model.setText("other-model"),
        lambda: dlg.form.base_url.setText("http://127.0.0.1:10/v1"),
        lambda: dlg.form.key.textEdited.emit("sk-new-key-0000"),
        lambda: dlg.form.timeouts["timeout_s"].setValue(9),
    ):
        dlg.form.test_button.click()
        qtbot.waitUntil(lambda: dlg.form.test_result.text().startswith("✔"))
        edit()
        assert dlg.form.test_result.text() == ""
    # a result that arrives after an edit is for the old values: not shown against the new ones
    dlg.form.test_button.click()
    dlg.form.model.setText("yet-another")
    qtbot.waitUntil(dlg.form.test_button.isEnabled)
    assert dlg.form.test_result.text() == ""


def test_the_key_hint_follows_what_is_typed(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    dialog.form.base_url.setText("https://api.example.test/v1")  # not loopback: a key is needed
    qtbot.waitUntil(lambda: dialog.form.key_state.text().startswith("No key yet"))
    dialog.form.key.setText("sk-typed")
    dialog.form.key.textEdited.emit("sk-typed")
    assert dialog.form.key_state.text() == "A new key will be stored in the OS keyring when you save."
    dialog.form.key.clear()
    dialog.form.key.textEdited.emit("")
    assert dialog.form.key_state.text().startswith("No key yet")


def test_the_keyring_is_read_and_written_off_the_gui_thread(qtbot, aio_loop, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    import threading

    keyring = ThreadRecordingKeyring()
    keyring.store[(KEYRING_SERVICE, "remote")] = "sk-stored"
    remote = ProviderConfig(name="remote", kind="openai", base_url="https://api.example.test/v1", model="m")
    dlg = SettingsDialog(Config(providers=(PROVIDER, remote)), keyring_backend=keyring, bridge=bridge, env={})
    qtbot.addWidget(dlg)
    dlg.list.setCurrentRow(1)
    qtbot.waitUntil(lambda: dlg.form.key_state.text() == "A key is stored in the OS keyring.")
    dlg.list.setCurrentRow(0)
    dlg.form.key.setText("sk-new-local")
    dlg.form.key.textEdited.emit("sk-new-local")
    with qtbot.waitSignal(dlg.saved):
        dlg.save()
    assert keyring.store[(KEYRING_SERVICE, "local")] == "sk-new-local"
    assert keyring.threads and threading.main_thread().name not in keyring.threads


def test_save_keeps_the_users_file(qtbot, aio_loop, bridge: Bridge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (
        "# mine: a local model only\n"
        "[analysis]\n"
        "deadline_s = 20  # quick\n"
        "\n"
        "[[providers]]\n"
        'name = "local"  # ollama on this machine\n'
        'kind = "openai"\n'
        'base_url = "http://127.0.0.1:11434/v1"\n'
        'model = "llama3"\n'
        "max_tokens = 300  # not shown in the dialog\n"
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    dlg = SettingsDialog(load_config(path), keyring_backend=MemoryKeyring(), bridge=bridge, env={})
    qtbot.addWidget(dlg)
    dlg.form.model.setText("llama3.1")
    with qtbot.waitSignal(dlg.saved):
        dlg.save()
    assert path.read_text(encoding="utf-8") == text.replace('model = "llama3"', 'model = "llama3.1"')


def test_command_line_options_outlive_a_save_and_stay_out_of_the_file(
    qtbot, aio_loop, hub, bridge: Bridge, window, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """``annotator --model M --speakers N --vocabulary T``: Settings > Save keeps them for the run and
    never writes them; a setting changed in the dialog is the user's newer choice."""
    from annotator.app import compose
    from annotator.config.overrides import Overrides

    text = '[analysis]\ndeadline_s = 20\n\n[transcription]\nvocabulary = ["Globex"]\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    overrides = Overrides(model="base.en", speakers=3, vocabulary=("Siobhan Okonkwo",))
    app = compose(load_config(path), bridge, hub, window, sessions_dir=tmp_path / "sessions", overrides=overrides)

    def in_force() -> tuple[object, ...]:
        t = app.sessions.config.transcription
        return t.model, t.speakers, t.vocabulary

    assert in_force() == ("base.en", 3, ("Globex", "Siobhan Okonkwo"))
    assert app.sessions.model.label == "base.en"

    def save_in_dialog(change) -> None:  # type: ignore[no-untyped-def]
        window.settings_requested.emit()
        dialog = window.findChildren(SettingsDialog)[-1]
        assert dialog.whisper_model.currentText() == ""  # the file's own model, not the command line's
        change(dialog)
        with qtbot.waitSignal(dialog.saved):
            dialog.save()
        dialog.close()

    save_in_dialog(lambda d: d.deadline.setValue(30))
    saved = path.read_text(encoding="utf-8")
    assert "deadline_s = 30" in saved
    assert "base.en" not in saved and "speakers" not in saved and "Siobhan" not in saved
    assert in_force() == ("base.en", 3, ("Globex", "Siobhan Okonkwo"))  # still this run's
    assert app.sessions.model.label == "base.en"

    save_in_dialog(lambda d: d.whisper_model.setCurrentText("small.en"))  # the user's newer choice wins
    assert 'model = "small.en"' in path.read_text(encoding="utf-8")
    assert in_force() == ("small.en", 3, ("Globex", "Siobhan Okonkwo"))
    assert app.sessions.model.label == "small.en"  # loaded for the next session
