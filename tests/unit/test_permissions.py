"""What the app writes about a conversation is private whatever the umask: the sessions folder
0700; journals, recorded audio, logs and exports 0600."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from annotator import logs, paths
from annotator.audio.recording import AudioRecording
from annotator.commands.listen import TerminalSink
from annotator.config.schema import Config
from annotator.journal.writer import Journal
from annotator.models import Chunk
from annotator.sessions.service import Sessions

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def journal_with_a_line() -> Path:
    journal = Journal.create(header={"mode": "test"})
    journal.write_chunk(Chunk(1, "You", 0.0, 1.0, "My salary was private."))
    journal.close()
    return journal.path


def test_sessions_folder_journal_and_audio() -> None:
    path = journal_with_a_line()
    recording = AudioRecording(path.with_suffix(".flac"))
    recording.write(np.zeros(16000, dtype=np.float32))
    recording.close()
    assert mode(paths.sessions_dir()) == 0o700
    assert mode(path) == 0o600
    assert mode(path.with_suffix(".flac")) == 0o600


def test_an_existing_open_sessions_folder_is_closed_up() -> None:
    paths.sessions_dir().mkdir(parents=True, mode=0o755)
    os.chmod(paths.sessions_dir(), 0o755)
    journal_with_a_line()
    assert mode(paths.sessions_dir()) == 0o700


def test_log_files_including_rotated_ones(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        log_path = logs.setup_logging(tmp_path / "log")
        assert log_path is not None
        logging.getLogger("test").warning("said in the meeting")
        handler = next(h for h in root.handlers if h not in before)
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()
        logging.getLogger("test").warning("after the rollover")
    finally:
        for h in root.handlers:
            if h not in before:
                root.removeHandler(h)
                h.close()
        logging.captureWarnings(False)
    assert mode(tmp_path / "log") == 0o700
    assert mode(log_path) == 0o600
    assert mode(log_path.with_name(log_path.name + ".1")) == 0o600


def test_window_export(tmp_path: Path) -> None:
    journal = journal_with_a_line()
    out = tmp_path / "export.md"
    sessions = Sessions(Config(), TerminalSink(io.StringIO(), io.StringIO(), as_json=False))
    asyncio.run(sessions.export(journal, out, "md"))
    assert "My salary was private." in out.read_text(encoding="utf-8")
    assert mode(out) == 0o600


def test_cli_export(tmp_path: Path) -> None:
    journal = journal_with_a_line()
    out = tmp_path / "export.srt"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o644)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.umask(0o022); from annotator.cli import main; sys.exit(main(sys.argv[1:]))",
            "export",
            str(journal),
            "--format",
            "srt",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o600
