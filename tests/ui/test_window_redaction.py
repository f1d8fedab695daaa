"""A provider that echoes the key back: the key appears nowhere in the window, its log, journal or exports."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QWidget

from annotator.config.schema import Config
from annotator.logs import setup_logging
from annotator.ui.main_window import MainWindow
from tests.helpers.faultserver import FaultServer, Reply
from tests.helpers.secrets import (
    ECHOED_KEY,
    HELD_KEY,
    KEY_ENV,
    assert_no_key,
    exports_of,
    files_under,
)

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.StatusTipRole)


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent if parent is not None else QModelIndex()
    out = []
    for r in range(model.rowCount(parent)):
        for c in range(model.columnCount(parent)):
            index = model.index(r, c, parent)
            out += [str(model.data(index, role)) for role in ROLES]
            out += model_texts(model, index)
    return out


def window_texts(win: MainWindow) -> dict[str, str]:
    """Every text the window shows or would show on hover: labels, buttons, tooltips, item models."""
    texts: dict[str, str] = {"title": win.windowTitle()}
    for i, w in enumerate([win, *win.findChildren(QWidget)]):
        parts = [w.toolTip(), w.statusTip(), w.accessibleName(), w.accessibleDescription()]
        for getter in ("text", "toPlainText", "placeholderText", "currentText"):
            fn = getattr(w, getter, None)
            if callable(fn):
                with contextlib.suppress(TypeError):
                    parts.append(str(fn()))
        model = getattr(w, "model", None)
        if callable(model) and isinstance(model(), QAbstractItemModel):
            parts += model_texts(model())
        texts[f"{type(w).__name__}#{i} {w.objectName()}"] = "\n".join(parts)
    return texts


@pytest.fixture
def log_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = setup_logging(tmp_path / "log")
    assert path is not None
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", None) == str(path.resolve())]:
        root.removeHandler(handler)
        handler.close()


def test_a_key_echoed_by_providers_appears_nowhere(
    qtbot,
    make_app,
    hub,
    fault_server: FaultServer,
    sessions_dir: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, key in KEY_ENV.items():
        monkeypatch.setenv(name, key)
    fault_server.set_default(Reply.echo_key(401), provider="a")
    fault_server.set_default(Reply.echo_key(403), provider="b")
    app = make_app(
        Config(
            providers=(
                fault_server.provider("a", api_key_env="FAULT_KEY_A"),
                fault_server.provider("b", api_key_env="FAULT_KEY_B"),
            )
        )
    )
    transcript = tmp_path / "three.txt"
    transcript.write_text("Candidate: One.\nCandidate: Two.\nCandidate: Three.\n", encoding="utf-8")
    win = app.window
    win.speed_combo.setCurrentIndex(win.speed_combo.findData(0.0))
    win.open_requested.emit(str(transcript))
    qtbot.waitUntil(lambda: win.active, timeout=5000)
    qtbot.waitUntil(lambda: not win.active, timeout=30000)

    # both keys were really sent and echoed back, for the first chunk; later chunks skip both providers
    assert [r.headers["authorization"] for r in fault_server.requests] == [f"Bearer {ECHOED_KEY}", f"Bearer {HELD_KEY}"]
    journal = app.sessions.session_path
    assert journal is not None and journal.read_text().count('"skipped"') == 4
    for w in win.findChildren(QWidget):  # tooltips are built on hover too: look at them all
        w.toolTip()
    texts = window_texts(win)
    texts.update(files_under(sessions_dir))
    texts.update(exports_of(journal))
    texts["log"] = log_file.read_text(encoding="utf-8")
    assert "misconfigured" in texts["log"]  # the warning was logged, scrubbed
    texts["messages"] = "\n".join(m.text for m in hub.history)
    assert_no_key(texts)
    assert any("Incorrect API key provided: [redacted]" in t for t in texts.values())
