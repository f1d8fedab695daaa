"""A provider that echoes the key back: `annotator analyze` and `listen` never print or journal it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.faultserver import FaultServer, Reply
from tests.helpers.process import listen_json, running
from tests.helpers.pulse import PulseServer
from tests.helpers.secrets import (
    ECHOED_KEY,
    HELD_KEY,
    KEY_ENV,
    assert_no_key,
    exports_of,
    files_under,
)
from tests.helpers.whisper import ljspeech_clips


def chain(server: FaultServer, tmp_path: Path) -> Path:
    """a (key-shaped key) answers 401 quoting it; b (a key no pattern catches) 403 quoting it."""
    server.set_default(Reply.echo_key(401), provider="a")
    server.set_default(Reply.echo_key(403), provider="b")
    return server.write_config(
        tmp_path / "config.toml",
        [server.provider("a", api_key_env="FAULT_KEY_A"), server.provider("b", api_key_env="FAULT_KEY_B")],
    )


def env() -> dict[str, str]:
    return dict(os.environ, **KEY_ENV, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONIOENCODING="utf-8")


@pytest.mark.parametrize("json_flag", [["--json"], []], ids=["json", "text"])
def test_analyze_never_prints_an_echoed_key(fault_server: FaultServer, tmp_path: Path, json_flag: list[str]) -> None:
    config = chain(fault_server, tmp_path)
    transcript = tmp_path / "three.txt"
    transcript.write_text("Candidate: One.\nCandidate: Two.\nCandidate: Three.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "analyze", str(transcript), *json_flag, "--config", str(config)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [r.headers["authorization"] for r in fault_server.requests] == [f"Bearer {ECHOED_KEY}", f"Bearer {HELD_KEY}"]
    assert_no_key({"stdout": done.stdout, "stderr": done.stderr, **files_under(tmp_path)})
    if json_flag:
        records = [json.loads(line) for line in done.stdout.splitlines()]
        assert "3 of 3 chunks were left unanalysed" in done.stderr
        assert [[a["outcome"] for a in r["attempts"]] for r in records] == [
            ["misconfigured", "misconfigured"],
            ["skipped", "skipped"],
            ["skipped", "skipped"],
        ]
        assert "Incorrect API key provided: [redacted]" in records[2]["attempts"][0]["detail"]
    else:  # what to do in one sentence, then each provider's reason
        assert (
            done.stdout.count("analysis unavailable: no provider accepted the request: fix the key, base URL or model")
            == 3
        )
        assert "(a: misconfigured: HTTP 401, key refused: Incorrect API key provided: [redacted]." in done.stdout


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.endswith("}")]


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until true or ``timeout`` s (a file written by another process has no signal)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.live
def test_listen_never_prints_or_journals_an_echoed_key(
    pulse_server: PulseServer, fault_server: FaultServer, tmp_path: Path
) -> None:
    config = chain(fault_server, tmp_path)
    clips = ljspeech_clips()
    out_path, err_path = tmp_path / "stdout.jsonl", tmp_path / "stderr.txt"

    def count(kind: str) -> int:
        return sum(r["type"] == kind or r.get("kind") == kind for r in json_lines(out_path))

    # stdout to a file, not a pipe: a pipe read line by line can hold lines in its buffer past select()
    with (
        out_path.open("w") as out,
        err_path.open("w") as err,
        running(
            listen_json(config, pulse_server.monitor),
            stdout=out,
            stderr=err,
            text=True,
            env={**env(), **pulse_server.env},
        ) as proc,
    ):
        assert wait_for(lambda: count("recording") == 1, 60), err_path.read_text()
        for n, (clip, _) in enumerate(clips[:2], 1):  # two utterances: the first calls both providers, the second skips
            pulse_server.play(clip)
            assert wait_for(lambda n=n: count("analysis") >= n, 60), err_path.read_text()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, err_path.read_text()
    lines = json_lines(out_path)
    outcomes = [a["outcome"] for r in lines if r["type"] == "analysis" for a in r["attempts"]]
    assert outcomes[:2] == ["misconfigured", "misconfigured"] and "skipped" in outcomes[2:], outcomes
    journal = Path(lines[-1]["path"])
    assert_no_key(
        {
            "stdout": out_path.read_text(),
            "stderr": err_path.read_text(),
            **files_under(journal.parent),
            **exports_of(journal),
        }
    )
