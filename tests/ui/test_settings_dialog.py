"""The settings dialog: refuses invalid values with reasons, stores keys in a keyring, never in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from annotator import paths
from annotator.config import KEYRING_SERVICE, Config, ProviderConfig, load_config
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
def dialog(qtbot, bridge: Bridge) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dlg = SettingsDialog(Config(providers=(PROVIDER,)), keyring_backend=MemoryKeyring(), bridge=bridge, env={})
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


def test_key_goes_to_keyring_not_the_file(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    dialog.form.key.setText("sk-test-123456")
    dialog.form.key.textEdited.emit("sk-test-123456")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    keyring = dialog._keyring
    assert isinstance(keyring, MemoryKeyring)
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
    assert [p.name for p in dialog.providers] == ["second", "local"]
    dialog.list.item(1).setCheckState(dialog.list.item(1).checkState().Unchecked)
    assert not dialog.providers[1].enabled
    with qtbot.waitSignal(dialog.saved) as sig:
        dialog.save()
    assert [(p.name, p.enabled) for p in sig.args[0].providers] == [("second", True), ("local", False)]


def test_test_button_runs_on_the_loop_and_shows_the_outcome(qtbot, aio_loop, hub, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    checked: list[str] = []

    async def check(p: ProviderConfig, key: str | None) -> Attempt:
        checked.append(p.name)
        assert key is None
        return Attempt(p.name, p.model, Outcome.MISCONFIGURED, 401, 12, detail="invalid key")

    dlg = SettingsDialog(Config(providers=(PROVIDER,)), keyring_backend=MemoryKeyring(), bridge=bridge, checker=check, env={})
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
    providers = (fault_server.provider("good"), fault_server.provider("bad"))
    dlg = SettingsDialog(Config(providers=providers), keyring_backend=MemoryKeyring(), bridge=bridge, env={},
                         checker=check_with_key)
    qtbot.addWidget(dlg)
    dlg.form.test_button.click()
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert dlg.form.test_result.text().startswith("✔ good answered")
    dlg.list.setCurrentRow(1)
    dlg.form.test_button.click()
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert dlg.form.test_result.text().startswith("✖ bad is misconfigured HTTP 401")
    assert [r.provider for r in fault_server.requests] == ["good", "bad"]
    dlg.providers.append(ProviderConfig(name="nokey", kind="openai", base_url="https://api.example.test/v1", model="m"))
    dlg._fill_list()
    dlg.list.setCurrentRow(2)
    dlg.form.test_button.click()
    qtbot.waitUntil(lambda: dlg.form.test_button.isEnabled())
    assert dlg.form.test_result.text().startswith("✖ nokey is misconfigured: no key")
    assert len(fault_server.requests) == 2  # no call without a key
