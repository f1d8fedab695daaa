"""Reading a running `annotator ... --json` process, line by line."""

from __future__ import annotations

import contextlib
import json
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def json_lines_until(proc: subprocess.Popen[str], want: str, timeout: float) -> list[dict[str, Any]]:
    """JSON lines from the process's stdout until one whose ``type`` (or event
    ``kind``) is ``want``, the output ends, or ``timeout`` seconds pass."""
    assert proc.stdout is not None
    seen: list[dict[str, Any]] = []
    end = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < end and sel.select(timeout=max(0.0, end - time.monotonic())):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(json.loads(line))
            if want in (seen[-1]["type"], seen[-1].get("kind")):
                break
    return seen


@contextlib.contextmanager
def running(args: Sequence[str], **kwargs: Any) -> Iterator[subprocess.Popen[str]]:
    """``subprocess.Popen(args, **kwargs)`` that never outlives the test: a process still
    running when the block ends (a wait in the test failed) is killed, not waited for
    forever as ``Popen.__exit__`` would."""
    with subprocess.Popen(args, **kwargs) as proc:
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)


def listen_json(config: Path, device: str, *extra: str) -> list[str]:
    """The command line of ``annotator listen --json`` with ``config`` on ``device`` (and ``extra``)."""
    return [sys.executable, "-m", "annotator", "listen", "--json", "--config", str(config), "--device", device, *extra]
