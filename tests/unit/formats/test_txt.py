"""Plain-text transcripts: one chunk per line, speakers, paced and bracketed times, bad input."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.readers import read_chunks
from annotator.formats.txt import split_speaker
from tests.unit.formats.helpers import write


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


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", "", r"empty\.txt: is empty"),
        ("blank.txt", "\n  \n\t\n", r"blank\.txt: is empty"),
    ],
)
def test_empty_transcripts_name_the_file(tmp_path: Path, name: str, content: str, message: str) -> None:
    p = write(tmp_path, name, content)
    with pytest.raises(InputError, match=message):
        read_chunks(p)
