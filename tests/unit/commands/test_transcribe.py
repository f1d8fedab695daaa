"""``annotator transcribe AUDIO``: chunk lines on stdout, one error line, a progress bar on a terminal."""

from __future__ import annotations

import io
import json
import re
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


VOCABULARY = DATA / "vocabulary"


def _terms_heard(out: str) -> int:
    import re
    from collections import Counter

    manifest = json.loads((VOCABULARY / "manifest.json").read_text())
    want = Counter(t for entry in manifest["sets"]["heldout"] for t in entry["terms"])
    words = Counter(re.findall(r"[A-Za-z]+", out))
    return sum(min(n, words.get(w, 0)) for w, n in want.items())


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_transcribe_with_a_vocabulary_file_spells_the_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], before: bool
) -> None:
    manifest = json.loads((VOCABULARY / "manifest.json").read_text())
    terms = tmp_path / "terms.txt"
    terms.write_text("\n".join(manifest["vocabulary"]) + "\n", encoding="utf-8")
    audio = str(VOCABULARY / "heldout.flac")
    option = ["--vocabulary", f"@{terms}"]
    assert cli.main([*option, "transcribe", audio] if before else ["transcribe", audio, *option]) == 0
    heard = _terms_heard(capsys.readouterr().out)
    assert heard >= 10  # of 15; 1 without the vocabulary (benchmarks/README.md)


def test_a_missing_vocabulary_file_is_one_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "names.txt"
    assert cli.main(["transcribe", str(DATA / "jfk.flac"), "--vocabulary", f"@{missing}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"annotator: Vocabulary file {missing} does not exist."]


def test_a_language_the_english_only_model_cannot_hear_is_an_error_naming_a_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["transcribe", str(DATA / "jfk.flac"), "--language", "fr"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'fr'" in err[0] and "English-only model tiny.en" in err[0] and "--model tiny" in err[0]


def test_vocabulary_is_refused_by_a_command_that_does_not_transcribe(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--vocabulary", "Kafka", "providers"])
    assert "--vocabulary has no effect on `providers`" in capsys.readouterr().err


def test_transcribe_names_four_real_voices_as_four_speakers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers.conversation import conversation

    conv = conversation(["lj", "jfk", "presenter", "hotwords"], [0, 1, 2, 3, 0, 2, 1, 3, 2, 0], seed=4)
    path = conv.write(tmp_path / "four.wav")
    assert cli.main(["transcribe", str(path), "--json"]) == 0
    chunks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert chunks and all(c["speaker"].startswith("S") for c in chunks)
    assert len({c["speaker"] for c in chunks}) == 4
    # each id is one voice: the voice that said most of each line, per id, is always the same
    voice_of: dict[str, set[str]] = {}
    for c in chunks:
        voice_of.setdefault(c["speaker"], set()).add(conv.voice_at(c["start"], c["end"]))
    assert sorted(len(v) for v in voice_of.values()) == [1, 1, 1, 1], voice_of
    # the human form shows the id too
    assert cli.main(["transcribe", str(path)]) == 0
    assert " S1: " in capsys.readouterr().out


def test_speakers_option_wants_a_count_and_a_command_that_transcribes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["transcribe", "x.wav", "--speakers", "0"])
    assert "give at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--speakers", "2", "export", "x.jsonl", "--format", "md"])
    assert "--speakers has no effect on `export`" in capsys.readouterr().err


def test_retranscribe_keeps_the_live_speakers_so_refuses_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["retranscribe", "x.jsonl", "--speakers", "2"])
    assert "unrecognized arguments: --speakers 2" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--speakers", "2", "retranscribe", "x.jsonl"])
    assert "--speakers has no effect on `retranscribe`" in capsys.readouterr().err


def test_transcribe_prints_a_sentence_broken_by_pauses_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["transcribe", str(DATA / "jfk.flac")]) == 0
    # "[00:03.040 - 00:10.688] S1: Ask not ...": the text after the times and the speaker
    lines = [normalise(re.sub(r"^\[[^]]*\]( S\d+:)? ", "", ln)) for ln in capsys.readouterr().out.splitlines()]
    assert "ask not" not in lines  # no lonely fragment
    [line] = [ln for ln in lines if "ask not" in ln]
    assert "your country can do for you" in line and line.startswith("ask not")
    assert cli.main(["transcribe", str(DATA / "jfk.flac"), "--json"]) == 0
    chunks = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    assert len(chunks) > len(lines)  # JSON keeps the chunks, as transcribed
