"""annotator.logs: log file in the user's log directory, missing standard streams."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator import logs


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, with its handlers and level put back after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.captureWarnings(False)


def test_setup_logging_writes_to_the_log_dir_by_default(root_logger: logging.Logger) -> None:
    log_path = logs.setup_logging()
    logging.getLogger("annotator.test").info("hello from the test")
    for handler in root_logger.handlers:
        handler.flush()
    assert log_path is not None and log_path.parent == Path(os.environ["ANNOTATOR_LOG_DIR"])
    text = log_path.read_text(encoding="utf-8")
    assert "INFO" in text and "annotator.test: hello from the test" in text


def test_setup_logging_twice_adds_one_handler(root_logger: logging.Logger, tmp_path: Path) -> None:
    before = len(root_logger.handlers)
    first = logs.setup_logging(tmp_path / "logs")
    second = logs.setup_logging(tmp_path / "logs")
    assert first == second == tmp_path / "logs" / "annotator.log"
    assert len(root_logger.handlers) == before + 1


def test_missing_std_streams_get_a_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    logs.ensure_std_streams()
    try:
        print("nobody reads this")
        print("nor this", file=sys.stderr)
        assert sys.stdout is not None and sys.stderr is not None
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.close()


def test_present_std_streams_are_left_alone() -> None:
    out, err = sys.stdout, sys.stderr
    logs.ensure_std_streams()
    assert sys.stdout is out and sys.stderr is err


def test_an_unwritable_log_dir_is_one_line_not_a_crash(
    root_logger: logging.Logger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log directory should be", encoding="utf-8")
    before = list(root_logger.handlers)

    assert logs.setup_logging(blocker / "logs") is None

    err = capsys.readouterr().err
    assert err.startswith(f"annotator: not logging to {blocker / 'logs' / 'annotator.log'}: ")
    assert err.count("\n") == 1
    assert root_logger.handlers == before
