"""Where things live: user directories (platformdirs) and bundled resources.

``resource()`` is the one function that resolves files under ``resources/``,
both from a source checkout and inside a PyInstaller bundle (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "annotator"


def resource(name: str) -> Path:
    """Path of a file under ``resources/`` (source tree or frozen bundle)."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent
    return root / "resources" / name


def config_dir() -> Path:
    return Path(os.environ.get("ANNOTATOR_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """Sessions (journals and audio) are kept under here."""
    return Path(os.environ.get("ANNOTATOR_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def log_dir() -> Path:
    return Path(os.environ.get("ANNOTATOR_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))


def default_config_path() -> Path:
    return config_dir() / "config.toml"
