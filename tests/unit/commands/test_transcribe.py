"""``annotator transcribe AUDIO``: chunk lines on stdout, one error line, a progress bar on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from annotator import cli
from tests.helpers.whisper import DATA, ljspeech_clips, normalise


def test_transcribe_command_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path, ref = ljspeech_clips()[3]
    assert cli.main(["transcribe", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) >= {"id", "source", "start", "end", "text"}
    assert normalise(obj["text"]) == normalise(ref)


def test_transcribe_command_bad_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_text("RIFF nonsense")
    assert cli.main(["transcribe", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.wav" in err[0]


class Terminal(io.StringIO):
    """stderr as if it were a terminal."""

    def isatty(self) -> bool:
        return True


def test_transcribe_command_shows_progress_for_long_files_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    path = DATA / "realtimestt" / "asr-reference.wav"  # 52 s
    assert cli.main(["transcribe", str(path)]) == 0
    bar = term.getvalue()
    assert bar.count("\r[") >= 5 and "] 52/52 s" in bar
    assert bar.endswith("\r\x1b[K")  # erased at the end: the terminal keeps only the transcript
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 8 and all(line.startswith("[00:") for line in lines)
    assert "hey guys" in normalise(lines[0])
