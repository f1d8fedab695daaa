"""Reading a user's text file: encodings, binary files and overlong lines, each one sentence naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.formats.readers import read_chunks
from annotator.formats.textfile import MAX_LINE_CHARS
from tests.unit.formats.helpers import write


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
