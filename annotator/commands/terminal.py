"""What the headless commands share for a person at a terminal: untrusted
text made one plain line, and a progress bar on stderr."""

from __future__ import annotations

from typing import TextIO


def flat(text: str) -> str:
    """Provider/transcript text shown as one plain line (no control characters,
    so a reply cannot move the cursor or colour the terminal)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class ProgressBar:
    """A one-line progress bar on ``stream``, drawn only when it is a terminal
    and ``total`` reaches ``min_total`` (short jobs get none)."""

    WIDTH = 30

    def __init__(self, stream: TextIO, total: float, *, unit: str, min_total: float = 0.0) -> None:
        self.stream = stream
        self.total = total
        self.unit = unit
        self.enabled = total >= min_total and total > 0 and stream.isatty()
        self.shown = False

    def draw(self, done: float) -> None:
        if not self.enabled:
            return
        filled = min(self.WIDTH, int(self.WIDTH * done / self.total))
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:.0f}/{self.total:.0f} {self.unit}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the bar (before printing a line under it, and at the end)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


EXIT_DECLINED = 1
EXIT_NEEDS_YES = 2


def confirm(estimate: str, not_run: str, question: str, *, yes: bool, stdin: TextIO, err: TextIO) -> int | None:
    """Cost first: None to go ahead, else the exit status.

    With ``yes`` the ``estimate`` line is printed and the work goes ahead.
    Without a terminal to ask on, ``not_run`` is printed and nothing is sent
    (exit 2). Otherwise ``question [y/N]`` is asked on stderr; anything but
    y/yes declines (exit 1).
    """
    if yes:
        err.write(f"annotator: {estimate}\n")
        return None
    if not stdin.isatty():
        err.write(f"annotator: {not_run}\n")
        return EXIT_NEEDS_YES
    err.write(f"annotator: {estimate}\n{question} [y/N] ")
    err.flush()
    if stdin.readline().strip().lower() not in ("y", "yes"):
        err.write("annotator: cancelled; nothing was sent\n")
        return EXIT_DECLINED
    return None
