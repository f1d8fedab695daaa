"""Reading a text file a user gave us (a transcript or a JSON export), with
checks that give one clear sentence each.

A missing or empty file, a binary file, text that is not UTF-8 (or UTF-16 with
a byte-order mark), a line longer than ``MAX_LINE_CHARS``: each is an
``InputError`` naming the file and, where there is one, the line.
"""

from __future__ import annotations

from pathlib import Path

from annotator.errors import InputError
from annotator.input_file import read_input_bytes

MAX_LINE_CHARS = 50_000
"""Longest transcript line (or cue line) accepted: ~8,000 words, far beyond
any real utterance; a longer one means the file is not a transcript."""

MAX_FILE_BYTES = 256 * 1024 * 1024


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a file are text (a byte-order mark, or UTF-8 without NULs)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(head) - 3 and err.reason == "unexpected end of data"
    return True


def read_text(path: Path, *, max_line: int | None = MAX_LINE_CHARS) -> str:
    """The file's text, with checks that give one clear sentence each.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order
    mark are accepted; line endings are normalised to ``\\n``.
    """
    path = Path(path)
    raw = read_input_bytes(path, what="a transcript", max_bytes=MAX_FILE_BYTES)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(f"{path}: marked as UTF-16 but not valid UTF-16 text") from err
    else:
        if b"\x00" in raw[:8192]:
            raise InputError(f"{path}: looks like a binary file, not text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            raise InputError(
                f"{path}:{line}: not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
            ) from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: is empty")
    if max_line is not None:
        check_line_lengths(text, path, max_line)
    return text


def check_line_lengths(text: str, path: Path, max_line: int = MAX_LINE_CHARS) -> None:
    if len(text) <= max_line:
        return
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > max_line:
            raise InputError(
                f"{path}:{number}: line is {len(line):,} characters long (the limit is {max_line:,}); "
                "is this really a transcript?"
            )
