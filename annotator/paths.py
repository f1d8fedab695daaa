"""Where things live: user directories (platformdirs) and bundled resources.

``resource()`` is the one function that resolves files under ``resources/``,
both from a source checkout and inside a PyInstaller bundle (``sys._MEIPASS``).

What the app writes about a conversation (journals, recorded audio, logs,
exports) is private to the user whatever the umask: ``private_dir()`` makes a
directory 0700, ``private_file()`` creates a file 0600 before a library opens
it by name, ``write_private_text()`` writes one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "annotator"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


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


def model_cache_dir() -> Path:
    """Where named models (``base.en`` ...) are downloaded to."""
    return Path(os.environ.get("ANNOTATOR_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME)) / "models"


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700; ``OSError`` as ``mkdir``."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if os.name == "posix" and (path.stat().st_mode & 0o777) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` if missing and make it 0600, so whatever opens it by name next
    (libsndfile, a log handler) writes into a file only the user can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
    try:
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as a 0600 file, atomically: through a temporary
    file in the same directory, renamed over ``path`` when complete, so a reader (or a
    failed write) never sees half a file. ``OSError`` on failure, ``path`` untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
