"""Reading a whole input file: one sentence naming the file for each way it can fail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.input_file import read_input_bytes

MB = 1024 * 1024


def test_a_readable_file_comes_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"Hello.\n")
    assert read_input_bytes(path, what="a transcript", max_bytes=100) == b"Hello.\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, r"x: no such file"),
        (lambda p: p.mkdir(), r"x: is a directory, not a transcript"),
        (lambda p: p.write_bytes(b" \n\t\n"), r"x: is empty"),
        (lambda p: p.write_bytes(b"a" * (2 * MB)), r"x: too large for a transcript \(2 MB\)"),
    ],
)
def test_each_failure_is_one_sentence_naming_the_file(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    path = tmp_path / "x"
    make(path)
    with pytest.raises(InputError, match=message):
        read_input_bytes(path, what="a transcript", max_bytes=MB)
