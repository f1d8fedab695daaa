"""WebVTT: voices, entities, notes and identifiers read back; markup written literally; bad cues named by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.readers import read_chunks
from annotator.formats.vtt import to_vtt
from annotator.models import Chunk
from tests.unit.formats.helpers import write


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
        ("bad.vtt", "1\n00:01.000 --> 00:02.000\nhi\n", r"bad\.vtt:1: not a WebVTT file"),
        ("bad.vtt", "WEBVTT\n\n00:01.000 -> 00:02.000\nhi\n", r"bad\.vtt:3: expected a cue timing"),
        ("bad.vtt", "WEBVTT\n\nid\n00:01.000 --> 00:0a.000\nhi\n", r"bad\.vtt:4: bad cue timing"),
        ("bad.vtt", "WEBVTT\n\nNOTE nothing here\n", r"bad\.vtt: contains no cues"),
    ],
)
def test_malformed_vtt_names_the_file_and_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    p = write(tmp_path, name, content)
    with pytest.raises(InputError, match=message):
        read_chunks(p)


def test_markup_in_the_transcript_is_written_literally() -> None:
    chunks = (Chunk(1, "<b>Boss</b>", 0.0, 2.0, 'I said <b>no</b> & <font color="red">never</font> <i>x</i>'),)
    text = to_vtt(chunks)
    assert "<b>" not in text and "<font" not in text and "<i>" not in text
    assert '&lt;b&gt;no&lt;/b&gt; &amp; &lt;font color="red"&gt;never&lt;/font&gt; &lt;i&gt;x&lt;/i&gt;' in text
