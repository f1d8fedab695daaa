"""Transcript and session readers: formats, speakers, times and every kind of bad input."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.replay import MAX_LINE_CHARS, kind_of, read_chunks, read_session, split_speaker


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


def test_kind_of_dispatches_by_extension() -> None:
    assert kind_of(Path("a.JSONL")) == "session"
    assert kind_of(Path("a.json")) == "session"
    assert kind_of(Path("a.txt")) == "transcript"
    assert kind_of(Path("a.srt")) == "transcript"
    assert kind_of(Path("a.vtt")) == "transcript"
    assert kind_of(Path("a.flac")) == "audio"
    assert kind_of(Path("a.mp3")) == "audio"


def test_audio_is_not_read_as_text(tmp_path: Path) -> None:
    p = write(tmp_path, "talk.wav", b"RIFF\x00\x00")
    with pytest.raises(InputError, match="audio file"):
        read_chunks(p)


def test_txt_interview_gives_one_chunk_per_line_with_speakers_and_paced_times(tmp_path: Path, data_dir: Path) -> None:
    p = tmp_path / "backend-lead.txt"
    shutil.copy(data_dir / "backend-lead.txt", p)
    chunks = read_chunks(p)
    assert len(chunks) == 20
    assert [c.id for c in chunks] == list(range(1, 21))
    assert chunks[0].source == "Interviewer"
    assert chunks[1].source == "Candidate"
    assert chunks[1].text.startswith("Sure. I have been leading the backend team")
    assert "three years" in chunks[1].text
    # times rise, do not overlap, and pace at roughly 150 words a minute
    for a, b in itertools.pairwise(chunks):
        assert a.start < a.end <= b.start
    words = sum(len(c.text.split()) for c in chunks)
    spoken = sum(c.end - c.start for c in chunks)
    assert 100 < words / spoken * 60 < 200


def test_txt_lines_without_a_name_prefix_have_no_speaker(tmp_path: Path) -> None:
    p = write(tmp_path, "t.txt", "\n\nWe met at 10:30: it was late.\n   \nThe plan, in short: ship it.\nAnna: ok\n")
    chunks = read_chunks(p)
    assert [(c.source, c.text) for c in chunks] == [
        ("", "We met at 10:30: it was late."),
        ("", "The plan, in short: ship it."),
        ("Anna", "ok"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Dr. Jane Smith: hello", ("Dr. Jane Smith", "hello")),
        ("This is a long sentence that goes: on", ("", "This is a long sentence that goes: on")),
        ("http://example.org is a link", ("", "http://example.org is a link")),
        ("12: twelve", ("", "12: twelve")),
        ("José: hola", ("José", "hola")),
    ],
)
def test_split_speaker(line: str, expected: tuple[str, str]) -> None:
    assert split_speaker(line) == expected


def test_srt_cues_with_speakers_tags_and_multiline_text(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "t.srt",
        "\ufeff1\r\n00:00:01,000 --> 00:00:04,250\r\nAnna: Hello <i>there</i>,\r\nhow are you?\r\n\r\n"
        "2\r\n00:00:05,5 --> 01:00:06,000 X1:0\r\n{\\an8}Fine.\r\n\r\n\r\n"
        "3\n00:10:00.000 --> 00:10:01.000\n<v Bob>I said x < y & z</v>\n",
    )
    chunks = read_chunks(p)
    assert [(c.id, c.source, c.start, c.end, c.text) for c in chunks] == [
        (1, "Anna", 1.0, 4.25, "Hello there, how are you?"),
        (2, "", 5.5, 3606.0, "Fine."),
        (3, "Bob", 600.0, 601.0, "I said x < y & z"),
    ]


def test_vtt_cues_voices_entities_notes_and_identifiers(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "t.vtt",
        "WEBVTT - a title\nKind: captions\n\nNOTE this is a comment\nspanning lines\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "intro\n00:01.000 --> 00:04.000 align:start\n<v.loud Mary Ann>Salary &lt; 160k &amp; more</v>\n\n"
        "00:00:05.000 --> 00:00:07.123\n<c.yellow>Candidate:</c> I <b>never</b> used it.\n<00:00:06.000>Really.\n",
    )
    chunks = read_chunks(p)
    assert [(c.source, c.start, c.end, c.text) for c in chunks] == [
        ("Mary Ann", 1.0, 4.0, "Salary < 160k & more"),
        ("Candidate", 5.0, 7.123, "I never used it. Really."),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.srt", "1\n00:00:01,000 --> 00:00:0x,000\nhi\n", r"bad\.srt:2: bad cue timing"),
        ("bad.srt", "1\n00:00:01,000 --> 00:00:61,000\nhi\n", r"bad\.srt:2: bad cue timing.*below 60"),
        ("bad.srt", "1\n00:00:05,000 --> 00:00:01,000\nhi\n", r"bad\.srt:2: cue ends before it starts"),
        ("bad.srt", "hello\n00:00:01,000 --> 00:00:02,000\nhi\n", r"bad\.srt:1: expected a cue number"),
        ("bad.srt", "1\n2\n3\n", r"bad\.srt:1: expected a cue number"),
        ("bad.vtt", "1\n00:01.000 --> 00:02.000\nhi\n", r"bad\.vtt:1: not a WebVTT file"),
        ("bad.vtt", "WEBVTT\n\n00:01.000 -> 00:02.000\nhi\n", r"bad\.vtt:3: expected a cue timing"),
        ("bad.vtt", "WEBVTT\n\nid\n00:01.000 --> 00:0a.000\nhi\n", r"bad\.vtt:4: bad cue timing"),
        ("bad.vtt", "WEBVTT\n\nNOTE nothing here\n", r"bad\.vtt: contains no cues"),
        ("empty.txt", "", r"empty\.txt: is empty"),
        ("blank.txt", "\n  \n\t\n", r"blank\.txt: is empty"),
    ],
)
def test_malformed_transcripts_name_the_file_and_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    p = write(tmp_path, name, content)
    with pytest.raises(InputError, match=message):
        read_chunks(p)


def test_non_utf8_text_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "latin.txt", "Anna: fine\nBob: caf\xe9 au lait\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.txt:2: not UTF-8 text \(byte 0xe9\)"):
        read_chunks(p)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    p = write(tmp_path, "wide.txt", "Anna: café\r\nBob: ok\r\n".encode("utf-16"))
    assert [(c.source, c.text) for c in read_chunks(p)] == [("Anna", "café"), ("Bob", "ok")]


def test_binary_file_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match=r"image\.txt: looks like a binary file"):
        read_chunks(p)


def test_huge_line_is_refused_with_its_line_number(tmp_path: Path) -> None:
    p = write(tmp_path, "huge.srt", "1\n00:00:01,000 --> 00:00:02,000\n" + "word " * MAX_LINE_CHARS + "\n")
    with pytest.raises(InputError, match=r"huge\.srt:3: line is 250,000 characters long"):
        read_chunks(p)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_chunks(tmp_path / "nope.txt")
    d = tmp_path / "dir.srt"
    d.mkdir()
    with pytest.raises(InputError, match=r"dir\.srt: is a directory"):
        read_chunks(d)


def test_json_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "x.json", json.dumps({"hello": 1}))
    with pytest.raises(InputError, match=r"x\.json: not an annotator session export"):
        read_session(p)
    p = write(tmp_path, "y.json", '{"format": \n')
    with pytest.raises(InputError, match=r"y\.json:2: not valid JSON"):
        read_session(p)


def test_read_chunks_of_a_hand_written_journal_skips_a_torn_last_line(tmp_path: Path) -> None:
    header = {
        "type": "header",
        "seq": 0,
        "format": "annotator-session",
        "version": 1,
        "created": "2026-01-01T00:00:00+00:00",
    }
    chunk = {"type": "chunk", "seq": 1, "id": 7, "source": "You", "start": 0.5, "end": 2.0, "text": "Hello."}
    p = write(tmp_path, "s.jsonl", json.dumps(header) + "\n" + json.dumps(chunk) + '\n{"type": "chunk", "id": 8, "te')
    assert [(c.id, c.source, c.text) for c in read_chunks(p)] == [(7, "You", "Hello.")]
    record = read_session(p)
    assert not record.closed_cleanly
    assert any("s.jsonl:3: the last record was cut off" in w for w in record.warnings)


def test_a_journal_from_a_newer_version_gives_a_clear_message(tmp_path: Path) -> None:
    header = {"type": "header", "seq": 0, "format": "annotator-session", "version": 99}
    p = write(tmp_path, "new.jsonl", json.dumps(header) + "\n")
    with pytest.raises(InputError, match=r"new\.jsonl:1: written by a newer annotator \(session format version 99"):
        read_chunks(p)


def test_a_jsonl_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "other.jsonl", '{"a": 1}\n')
    with pytest.raises(InputError, match=r"other\.jsonl:1: not an annotator session journal"):
        read_chunks(p)
    p = write(tmp_path, "bin.jsonl", bytes(range(256)))
    with pytest.raises(InputError, match=r"bin\.jsonl:1: not an annotator session journal"):
        read_chunks(p)


def test_txt_lines_may_carry_their_time_in_brackets(tmp_path: Path) -> None:
    p = write(tmp_path, "timed.txt", "[00:05] Anna: hello there\n(1:00:02.5) Bob: much later\nno time here\n")
    chunks = read_chunks(p)
    assert [(c.source, c.start, c.text) for c in chunks] == [
        ("Anna", 5.0, "hello there"),
        ("Bob", 3602.5, "much later"),
        ("", round(chunks[1].end + 0.4, 3), "no time here"),
    ]
    assert chunks[0].end <= chunks[1].start


def test_txt_times_that_go_back_or_do_not_parse_name_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "back.txt", "[00:10] a\n\n[00:05] b\n")
    with pytest.raises(InputError, match=r"back\.txt:3: time 00:05 is earlier than the line before"):
        read_chunks(p)
    p = write(tmp_path, "bad.txt", "[00:75] a\n")
    with pytest.raises(InputError, match=r"bad\.txt:1: bad time '00:75'"):
        read_chunks(p)


def test_unknown_extensions_are_audio_unless_they_are_text(tmp_path: Path) -> None:
    assert kind_of(write(tmp_path, "voice.amr", b"#!AMR\n\x00\x01\x02")) == "audio"
    with pytest.raises(InputError, match=r"notes\.md: unknown file type '\.md'; transcripts are read from"):
        kind_of(write(tmp_path, "notes.md", "# Notes\nAnna: hi\n"))
    with pytest.raises(InputError, match=r"gone\.xyz: no such file"):
        kind_of(tmp_path / "gone.xyz")
