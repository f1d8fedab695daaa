"""A broken config file: the window still opens, says what is wrong with a way forward,
the log records it, and nothing of the user's file is overwritten."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from annotator import paths
from annotator.app import load_window_config, report_config_problem
from annotator.config.file import load_config, save_config
from annotator.config.schema import Config
from annotator.errors import ConfigError
from annotator.ui.bridge import Bridge
from annotator.ui.messages import MessageArea, MessageHub
from annotator.ui.settings_dialog import SettingsDialog

BROKEN = '# my providers\n[analysis]\ndeadline_s = 30\n\n[[providers]]\nname = "local\nkind = "openai"\n'


def write_broken() -> Path:
    path = paths.default_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BROKEN, encoding="utf-8")
    return path


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_a_broken_user_config_gives_defaults_and_the_reason() -> None:
    path = write_broken()
    config, problem = load_window_config(None)
    assert isinstance(problem, ConfigError)
    assert str(path) in str(problem) and "line 6" in str(problem)
    assert config.providers == Config().providers and config.path == path


def test_the_strip_names_the_file_and_line_and_offers_a_way_forward(qtbot) -> None:  # type: ignore[no-untyped-def]
    path = write_broken()
    hub = MessageHub()
    area = MessageArea(hub)
    qtbot.addWidget(area)
    area.show()
    _config, problem = load_window_config(None)
    assert problem is not None
    report_config_problem(hub, problem, path)
    assert area.isVisible()
    assert str(path) in area.text() and "line 6" in area.text() and "built-in settings" in area.text()
    assert [b.text() for b in area.action_buttons] == ["Open the file", "Run with defaults this time"]

    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        area.action_buttons[0].click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(path)]
    assert area.isVisible()  # still there to read while the file is fixed

    area.action_buttons[1].click()
    assert "left as it is" in area.text()
    assert area.action_buttons == []
    assert path.read_text(encoding="utf-8") == BROKEN


def test_settings_save_does_not_replace_a_broken_file(qtbot, aio_loop, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    path = write_broken()
    config, _problem = load_window_config(None)
    dialog = SettingsDialog(config, keyring_backend=None, bridge=bridge, env={})
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    save.click()
    qtbot.waitUntil(save.isEnabled)  # written (or not) off the GUI thread
    assert dialog.isVisible()  # refused
    assert "left as it is" in dialog.error.text() and str(path) in dialog.error.text()
    assert path.read_text(encoding="utf-8") == BROKEN


def test_save_config_still_replaces_a_valid_file(tmp_path: Path) -> None:
    path = save_config(Config(), tmp_path / "c.toml")
    save_config(Config(), path)
    assert load_config(path).providers == Config().providers


def test_the_window_opens_with_a_broken_config_and_the_log_records_it() -> None:
    path = write_broken()
    log = paths.log_dir() / "annotator.log"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    for var in ("CEREBRAS_API_KEY", "NVIDIA_API_KEY", "MOONSHOT_API_KEY", "ANTHROPIC_API_KEY"):
        env.pop(var, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            text = log.read_text(encoding="utf-8") if log.exists() else ""
            if "running on the built-in settings this time" in text:  # said once start-up is done
                break
            time.sleep(0.1)  # polling another process's log file; there is no signal to wait on
        assert proc.poll() is None, proc.communicate()[1]  # the window is open, not exited 2
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    text = log.read_text(encoding="utf-8")
    assert f"{path}: not valid TOML" in text and "line 6" in text
    assert "No analysis provider has a key yet" not in text  # the strip keeps the config problem, not a key hint
    assert "Traceback" not in err
    assert path.read_text(encoding="utf-8") == BROKEN


def test_commands_keep_their_one_line_error() -> None:
    path = write_broken()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "providers"], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"annotator: {path}: not valid TOML") and len(done.stderr.splitlines()) == 1
