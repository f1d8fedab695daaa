"""SubRip: cues with speakers, tags and several lines read back; markup written literally; bad cues named by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.readers import read_chunks
from annotator.formats.srt import to_srt
from annotator.models import Chunk
from tests.unit.formats.helpers import write


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


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.srt", "1\n00:00:01,000 --> 00:00:0x,000\nhi\n", r"bad\.srt:2: bad cue timing"),
        ("bad.srt", "1\n00:00:01,000 --> 00:00:61,000\nhi\n", r"bad\.srt:2: bad cue timing.*below 60"),
        ("bad.srt", "1\n00:00:05,000 --> 00:00:01,000\nhi\n", r"bad\.srt:2: cue ends before it starts"),
        ("bad.srt", "hello\n00:00:01,000 --> 00:00:02,000\nhi\n", r"bad\.srt:1: expected a cue number"),
        ("bad.srt", "1\n2\n3\n", r"bad\.srt:1: expected a cue number"),
    ],
)
def test_malformed_srt_names_the_file_and_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    p = write(tmp_path, name, content)
    with pytest.raises(InputError, match=message):
        read_chunks(p)


def test_markup_in_the_transcript_is_written_literally() -> None:
    chunks = (Chunk(1, "<b>Boss</b>", 0.0, 2.0, 'I said <b>no</b> & <font color="red">never</font> <i>x</i>'),)
    text = to_srt(chunks)
    assert "<b>" not in text and "<font" not in text and "<i>" not in text
    assert '&lt;b&gt;no&lt;/b&gt; &amp; &lt;font color="red"&gt;never&lt;/font&gt; &lt;i&gt;x&lt;/i&gt;' in text
