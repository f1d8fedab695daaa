"""`annotator listen` end to end: a private PulseAudio server's null-sink monitor
is the microphone, a loopback provider analyses, Ctrl+C stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jiwer
import pytest

from annotator.audio.decode import decode_file
from annotator.formats.readers import read_session
from annotator.formats.writers import export
from annotator.journal.store import find_unfinished
from tests.helpers.faultserver import FaultServer, Reply, insight_json
from tests.helpers.process import json_lines_until, listen_json, running
from tests.helpers.pulse import PulseServer
from tests.helpers.whisper import ljspeech_clips, normalise

pytestmark = pytest.mark.live


def test_listen_records_transcribes_analyses_and_stops_cleanly_on_ctrl_c(
    pulse_server: PulseServer, fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.set_default(Reply.ok(insight_json("positive", 0.5, claims=("printing history",))))
    config = fault_server.write_config(tmp_path / "config.toml", [fault_server.provider("local")])
    env = {**os.environ, **pulse_server.env}
    clip, reference = ljspeech_clips()[1]
    with running(
        listen_json(config, pulse_server.monitor, "--vocabulary", "block books, Gutenberg"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        lines = json_lines_until(proc, "recording", timeout=60)  # audio flows
        assert lines and lines[-1]["data"] == {"devices": [{"device": pulse_server.monitor, "source": "Them"}]}, lines
        pulse_server.play(clip)
        lines += json_lines_until(proc, "analysis", timeout=60)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines += [json.loads(line) for line in out.splitlines()]
    chunks = [r for r in lines if r["type"] == "chunk"]
    assert chunks and all(c["source"] == "Them" for c in chunks)  # a monitor is system audio, not "You"
    assert {c["speaker"] for c in chunks} == {"S1"}  # one voice
    said = " ".join(c["text"] for c in chunks)
    assert jiwer.wer(normalise(reference), normalise(said)) < 0.35, said
    # while the 5 s clip was spoken, its words so far came as partial lines, before its chunk
    partials = [r for r in lines if r["type"] == "partial"]
    assert partials and set(partials[0]) == {"type", "source", "start", "text"}, partials
    assert all(p["source"] == "Them" and p["text"] for p in partials)
    assert lines.index(partials[0]) < lines.index(chunks[0])
    opening = normalise(said).split()[0][:5]  # "produ": a partial may end mid-word ("Produce.")
    assert any(normalise(p["text"]).startswith(opening) for p in partials), partials
    analyses = [r for r in lines if r["type"] == "analysis"]
    assert analyses and analyses[0]["provider"] == "local"
    summary = lines[-1]
    assert summary["type"] == "session" and summary["chunks"] == len(chunks)

    # the journal holds everything printed, closed cleanly; the audio is beside it
    record = read_session(Path(summary["path"]))
    assert record.closed_cleanly and not record.warnings
    assert '"partial"' not in Path(summary["path"]).read_text()  # never journaled
    assert [c.text for c in record.chunks] == [c["text"] for c in chunks]
    assert record.analyses and record.analyses[0].provider == "local"
    assert record.header["model"] == "tiny.en" and "devices" in record.header
    assert record.header["vocabulary"] == ["block books", "Gutenberg"]  # the session's words, journaled
    assert not find_unfinished(Path(summary["path"]).parent)
    [audio] = summary["audio"]
    assert len(decode_file(audio)) / 16_000 > 2.0  # the clip (5 s) and the silence around it
    assert said.split()[0].lower().strip(",.") in export(record, "md").lower()


def test_listen_without_a_usable_device_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}  # no PulseAudio here
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "listen", "--device", "no such microphone", "--duration", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("annotator: ") and "no such microphone" in last
    assert "Traceback" not in out.stderr


def test_a_killed_listen_leaves_a_journal_that_is_offered_back_repaired_and_exported(
    pulse_server: PulseServer, fault_server: FaultServer, tmp_path: Path
) -> None:
    from annotator.journal.recovery import repair

    fault_server.set_default(Reply.ok())
    config = fault_server.write_config(tmp_path / "config.toml", [fault_server.provider("local")])
    env = {**os.environ, **pulse_server.env}
    clip, _ = ljspeech_clips()[1]
    with running(
        listen_json(config, pulse_server.monitor),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        json_lines_until(proc, "recording", timeout=60)
        pulse_server.play(clip)
        lines = json_lines_until(proc, "analysis", timeout=60)
        # the chunk was handed to the journal's writer a provider round trip before its analysis printed
        proc.kill()
        proc.wait(30)
    chunks = [r["text"] for r in lines if r["type"] == "chunk"]
    assert chunks
    sessions = Path(os.environ["ANNOTATOR_DATA_DIR"]) / "sessions"
    [unfinished] = find_unfinished(sessions)
    record = repair(unfinished)
    assert record.end_reason == "recovered"
    # a kill -9 (unlike a power cut) keeps what was written: every chunk printed is in the journal
    assert [c.text for c in record.chunks] == chunks
    assert not find_unfinished(sessions)
    for fmt in ("md", "json", "srt", "vtt"):
        assert export(read_session(unfinished), fmt)


def test_listen_to_a_dead_input_says_no_speech_was_heard_and_keeps_nothing(pulse_server: PulseServer) -> None:
    from annotator import paths

    env = {**os.environ, **pulse_server.env, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "listen", "--json", "--device", pulse_server.monitor, "--duration", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    last = json.loads(out.stdout.splitlines()[-1])
    assert last == {"type": "session", "path": None, "audio": [], "chunks": 0, "analyses": 0, "cost_usd": 0.0}
    assert f"annotator: No speech was heard from {pulse_server.monitor!r} (no sound at all)" in out.stderr
    assert "session saved" not in out.stderr
    assert not paths.sessions_dir().exists() or list(paths.sessions_dir().iterdir()) == []


def test_listen_tells_two_voices_apart_in_its_chunk_lines(
    pulse_server: PulseServer, fault_server: FaultServer, tmp_path: Path
) -> None:
    from tests.helpers.conversation import conversation

    conv = conversation(["lj", "presenter"], [0, 1, 0, 1], seed=7)
    played = conv.write(tmp_path / "two.wav")
    fault_server.set_default(Reply.ok())
    config = fault_server.write_config(tmp_path / "config.toml", [fault_server.provider("local")])
    env = {**os.environ, **pulse_server.env}
    with running(
        listen_json(config, pulse_server.monitor, "--speakers", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        lines = json_lines_until(proc, "recording", timeout=60)
        pulse_server.play(played)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    lines += [json.loads(line) for line in out.splitlines()]
    chunks = [r for r in lines if r["type"] == "chunk"]
    assert len(chunks) >= 4, chunks
    # in turns: lj, presenter, lj, presenter (times differ from the file's: the capture starts before it plays)
    speakers = [c["speaker"] for c in chunks]
    assert set(speakers) == {"S1", "S2"}, chunks
    assert speakers[0] == "S1" and speakers[-1] == "S2", chunks
    # a partial line names its speaker once the voice is clearly one already heard: the line it becomes
    named = [(i, r) for i, r in enumerate(lines) if r["type"] == "partial" and "speaker" in r]
    assert named, [r for r in lines if r["type"] == "partial"]
    for i, partial in named:
        final = next(r for r in lines[i:] if r["type"] == "chunk")
        assert partial["speaker"] == final["speaker"], (partial, final)
    summary = lines[-1]
    record = read_session(Path(summary["path"]))
    assert [c.speaker for c in record.chunks] == speakers
