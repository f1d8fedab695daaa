"""``annotator export``: a session by id to a file, a torn journal warned about, a transcript converted, one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.journal.writer import Journal
from annotator.models import Chunk


def test_command_exports_a_session_by_id_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal.create(header={"model": "tiny.en"})
    journal.write_chunk(Chunk(1, "You", 0.25, 2.0, "Hello there."))
    journal.close()
    out = tmp_path / "out.vtt"
    assert main(["export", journal.path.stem, "--format", "vtt", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "WEBVTT\n\n1\n00:00:00.250 --> 00:00:02.000\n<v You>Hello there.</v>\n"
    assert capsys.readouterr().err == ""
    if os.name == "posix":  # the transcript is as private as the journal it came from, as the window saves it
        assert out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.vtt"]  # written through a temporary file, none left
    assert main(["export", str(journal.path), "--format", "md"]) == 0
    assert "**[00:00] You:** Hello there." in capsys.readouterr().out


def test_command_warns_about_a_torn_journal_and_still_exports(capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal.create(header={})
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "kept"))
    journal.close()
    lines = journal.path.read_bytes().splitlines(keepends=True)
    journal.path.write_bytes(b"".join(lines[:-1]) + b'{"type":"chunk","seq":2,"te')
    assert main(["export", journal.path.stem, "--format", "srt"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "1\n00:00:00,000 --> 00:00:01,000\nkept\n"
    warnings = captured.err.splitlines()
    assert any(w.startswith("annotator: warning: ") and "last record was cut off" in w for w in warnings)


def test_command_converts_a_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    srt = tmp_path / "in.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\nAnna: hi\n", encoding="utf-8")
    assert main(["export", str(srt), "--format", "vtt"]) == 0
    assert "<v Anna>hi</v>" in capsys.readouterr().out


def test_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "no-such-session", "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("annotator: no-such-session: no such file")
    journal = Journal.create(header={})
    journal.close()
    target = tmp_path / "missing-dir" / "out.md"
    assert main(["export", journal.path.stem, "--format", "md", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out.md: cannot write the export" in err
