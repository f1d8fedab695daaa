"""A process writing its journal flat out is killed with SIGKILL: nothing synced is lost.

The child writes chunk records as fast as it can (chunk id == record seq) and
prints ``synced N`` each time the journal reports records up to N fsync'd.
The parent kills it mid-stream, then checks that every record it was told
about is in the file, that the file reads (a torn last line is only a
warning), is offered for recovery, exports to all four formats through the
real command line, and repairs.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.formats.readers import read_chunks
from annotator.formats.writers import FORMATS
from annotator.journal.reader import read_journal
from annotator.journal.recovery import repair
from annotator.journal.store import find_unfinished
from annotator.text.lines import join_lines
from tests.helpers.process import running

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

CHILD = r"""
import sys, threading
from pathlib import Path
from annotator.models import Chunk
from annotator.journal.writer import Journal

journal = Journal.create(Path(sys.argv[1]), header={"model": "tiny.en"}, sync_interval=0.02)
print("path", journal.path, flush=True)

def report():
    done = 0
    while True:
        journal.wait_synced(done + 1)
        done = journal.synced_seq
        print("synced", done, flush=True)

threading.Thread(target=report, daemon=True).start()
i = 0
while True:
    i += 1
    journal.write_chunk(Chunk(i, "You", i * 0.5, i * 0.5 + 0.4, f"utterance number {i}" + " word" * (i % 7)))
"""

ENOUGH_SYNCED = 3000  # records
ENOUGH_SYNCS = 5  # separate fsync rounds seen before the kill


def _lines(stream: object, out: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line.rstrip("\n"))
    out.put(None)


def test_sigkill_mid_write_loses_nothing_that_was_synced(tmp_path: Path) -> None:
    path: Path | None = None
    synced = 0
    rounds = 0
    with running(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        try:
            while True:
                line = lines.get(timeout=60)
                assert line is not None, f"the writer exited early: {proc.stderr.read() if proc.stderr else ''}"
                if line.startswith("path "):
                    path = Path(line[5:])
                elif line.startswith("synced "):
                    synced = max(synced, int(line.split()[1]))
                    rounds += 1
                    if synced >= ENOUGH_SYNCED and rounds >= ENOUGH_SYNCS:
                        os.kill(proc.pid, signal.SIGKILL)
                        break
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        reader.join(timeout=60)
        while True:  # "synced" lines printed just before the kill
            line = lines.get(timeout=60)
            if line is None:
                break
            if line.startswith("synced "):
                synced = max(synced, int(line.split()[1]))
    assert path is not None and path.parent == tmp_path

    record = read_journal(path)
    ids = [c.id for c in record.chunks]
    assert ids == list(range(1, len(ids) + 1)), "records are in order, without gaps"
    assert len(ids) >= synced, f"synced up to {synced} but only {len(ids)} records are in the file"
    assert all(c.text.split()[:3] == ["utterance", "number", str(c.id)] for c in record.chunks)
    assert record.end_reason is None
    assert all("did not close cleanly" in w or "last record was cut off" in w for w in record.warnings)
    assert find_unfinished(tmp_path) == [path]

    for fmt in FORMATS:
        out = tmp_path / f"export.{fmt}"
        result = subprocess.run(
            [sys.executable, "-m", "annotator", "export", str(path), "--format", fmt, "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "annotator: warning:" in result.stderr and "Traceback" not in result.stderr
        if fmt == "json":
            assert [c.text for c in read_chunks(out)] == [c.text for c in record.chunks]
        elif fmt != "md":  # subtitles carry lines: a sentence's fragments joined (issue 15)
            assert [c.text for c in read_chunks(out)] == [line.text for line in join_lines(record.chunks)]
        else:
            assert f"utterance number {ids[-1]}" in out.read_text(encoding="utf-8")

    repaired = repair(path)
    assert repaired.end_reason == "recovered"
    assert repaired.chunks == record.chunks
    assert find_unfinished(tmp_path) == []
