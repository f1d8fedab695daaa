"""`annotator analyze AUDIO`: transcribed with the offline model, then analysed chunk by chunk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jiwer

from tests.helpers.faultserver import FaultServer, Reply
from tests.helpers.whisper import ljspeech_clips, normalise


def test_an_audio_file_is_transcribed_then_analysed(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(Reply.ok())
    config = fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a")])
    clip, reference = ljspeech_clips()[2]
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "analyze", str(clip), "--json", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert "left unanalysed" not in out.stderr
    assert lines and all(r["provider"] == "a" and r["insight"] is not None for r in lines)
    said = " ".join(r["text"] for r in lines)
    assert jiwer.wer(normalise(reference), normalise(said)) < 0.35, said
    # one request per chunk, each carrying that chunk's text
    assert len(fault_server.requests) == len(lines)
    assert all(r["text"] in q.prompt_text for r, q in zip(lines, fault_server.requests, strict=True))


def test_an_unreadable_audio_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage")
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "analyze", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "broken.wav" in out.stderr and "Traceback" not in out.stderr


def test_the_vocabulary_reaches_the_text_sent_for_analysis(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(Reply.ok())
    config = fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a")])
    clip = Path(__file__).parent.parent / "data" / "vocabulary" / "heldout2.flac"
    terms = "Priyanka Okonkwo, Grafana, Kafka, Kubernetes, ClickHouse, PostgreSQL, Terraform, Shopify"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "annotator",
            "--vocabulary",
            terms,
            "analyze",
            str(clip),
            "--json",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    said = " ".join(json.loads(line)["text"] for line in out.stdout.splitlines())
    assert "Kubernetes" in said and "PostgreSQL" in said and "Okonkwo" in said, said
    assert any("Kubernetes" in q.prompt_text for q in fault_server.requests)
