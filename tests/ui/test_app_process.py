"""The real app as a subprocess: ``annotator replay`` opens the window, replays through a loopback provider,
journals the session, and quits cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from annotator import paths
from tests.helpers.faultserver import FaultServer, Reply, insight_json

DATA = Path(__file__).resolve().parent.parent / "data"


def test_replay_command_runs_the_window_and_quits_cleanly(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(Reply.ok(insight_json("neutral", 0.1)))
    config = fault_server.write_config(tmp_path / "config.toml", ["fast"])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "annotator",
            "replay",
            str(DATA / "backend-lead.txt"),
            "--speed",
            "max",
            "--config",
            str(config),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = ""
        for line in proc.stderr:  # the window prints where the session went once it is closed (Qt may warn first)
            if line.startswith("annotator:"):
                first = line
                break
    finally:
        proc.send_signal(signal.SIGTERM)  # quits (stopping a session first if one still ran)
        _out, err = proc.communicate(timeout=60)
    assert first.startswith("annotator: session saved: "), first + err
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert fault_server.requests, "the lines were sent for analysis"
    [journal] = sorted(paths.sessions_dir().glob("*.jsonl"))
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sum(r["type"] == "chunk" for r in records) == 20
    assert sum(len(r["chunk_ids"]) for r in records if r["type"] == "analysis") == 20  # merged at max speed
    assert records[-1]["type"] == "end"


def test_replay_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "replay", str(missing)],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == f"annotator: {missing}: no such file"


def test_replay_refuses_a_bad_speed(tmp_path: Path) -> None:
    transcript = tmp_path / "t.txt"
    transcript.write_text("A: hello\n")
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "replay", str(transcript), "--speed", "fast"],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == "annotator: --speed 'fast': use 1, 2, 4 or max"


def test_parse_speed() -> None:
    from annotator.commands.replay import parse_speed

    assert [parse_speed(v) for v in ("1", "2x", "4", "max", "MAX", "1.5")] == [1.0, 2.0, 4.0, 0.0, 0.0, 1.5]


def test_no_display_is_one_sentence() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "annotator"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("annotator: No display to open the window on")
    assert len(out.stderr.strip().splitlines()) == 1
