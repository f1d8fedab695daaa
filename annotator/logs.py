"""Logging set-up for the app, from source or frozen.

``setup_logging()`` sends log records to a rotating file in the user's log
directory (``paths.log_dir()``). ``ensure_std_streams()`` makes a windowed
bundle safe to run: there ``sys.stdout`` and ``sys.stderr`` may be ``None``,
and any ``print`` or library warning would then raise.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from annotator import paths

LOG_FILE_NAME = "annotator.log"
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_LOG_BYTES = 2_000_000
LOG_BACKUPS = 3


def ensure_std_streams() -> None:
    """Give ``sys.stdout``/``sys.stderr`` a sink when the process has none (windowed bundle)."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process


def setup_logging(directory: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Log to ``<directory>/annotator.log`` (default: the user's log directory); returns that path.

    The file rotates at ~2 MB and keeps three old files. Calling it again does
    not add a second handler for the same file. A directory that cannot be
    written is not fatal: one line on stderr says so, and None is returned.
    """
    directory = directory if directory is not None else paths.log_dir()
    log_path = directory / LOG_FILE_NAME
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == log_path.resolve():
            return log_path
    try:
        paths.private_dir(directory)
        handler = PrivateRotatingFileHandler(
            log_path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as err:
        if sys.stderr is not None:
            print(f"annotator: not logging to {log_path}: {err.strerror or err}", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    logging.captureWarnings(True)
    if sys.stderr is not None and _has_fileno(sys.stderr) and not faulthandler.is_enabled():
        faulthandler.enable(sys.stderr)
    return log_path


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files (the current one and each new one after a
    rollover) are 0600 whatever the umask: a log may quote what was said."""

    def _open(self):  # type: ignore[no-untyped-def]
        paths.private_file(Path(self.baseFilename))
        return super()._open()


def _has_fileno(stream: object) -> bool:
    try:
        stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
    return True
