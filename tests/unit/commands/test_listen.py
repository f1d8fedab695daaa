"""``annotator listen`` without --json: partial text grows on one overwritten line on a
terminal, and prints nothing when the output is not a terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import termios

from annotator.commands.listen import TerminalSink
from annotator.models import Chunk
from annotator.sessions.events import PartialText


def feed(sink: TerminalSink) -> None:
    sink.on_event(PartialText("You", 3.0, "Ask not"))
    sink.on_event(PartialText("You", 3.0, "Ask not what your country", "S1"))
    sink.on_chunk(Chunk(1, "You", 3.0, 6.0, "Ask not what your country can do for you.", "S1"))
    sink.on_event(PartialText("You", 7.0, "Ask what\x1b[31m you can do"))  # a control character stays out


def read_all(fd: int) -> str:
    os.set_blocking(fd, False)
    got = b""
    while True:
        try:
            piece = os.read(fd, 4096)
        except (BlockingIOError, OSError):
            break
        if not piece:
            break
        got += piece
    return got.decode("utf-8")


def test_on_a_terminal_the_partial_line_is_overwritten_and_replaced_by_the_final() -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))  # 60 columns
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # read back exactly what was written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    with open(slave, "w", encoding="utf-8", closefd=True) as out:
        assert out.isatty()
        sink = TerminalSink(out, io.StringIO(), as_json=False)
        feed(sink)
        long = "and so my fellow Americans " * 5
        sink.on_event(PartialText("You", 9.0, long))
        sink.clear_partial()
    shown = read_all(master)
    os.close(master)
    clear = "\r\x1b[K"
    assert shown.startswith(clear + "[00:03] You: Ask not …" + clear + "[00:03] S1: Ask not what your country …")
    # the final line replaces the partial one, on a cleared line, and ends with a newline
    assert clear + "[00:03] S1: Ask not what your country can do for you.\n" in shown
    assert clear + "[00:07] You: Ask what [31m you can do …" in shown  # the escape is not passed through
    last = shown.rsplit(clear, 2)[-2]
    assert len(last) < 60 and last.startswith("…") and last.endswith("Americans …")  # never wraps
    assert shown.endswith(clear)  # cleared before the session's last words


def test_not_on_a_terminal_partials_print_nothing() -> None:
    out = io.StringIO()
    sink = TerminalSink(out, io.StringIO(), as_json=False)
    feed(sink)
    assert out.getvalue() == "[00:03] S1: Ask not what your country can do for you.\n"
