"""Plain-text transcripts (``.txt``), read: one chunk per non-empty line.

A line may start with its speaker (``Name: text``) and with its time in
brackets (``[01:02]``, ``(1:02:03.5)``); other lines are timed at ~150 words a
minute after the line before, so a replay at real time is paced like speech.
Chunks are numbered from 1. Nothing writes ``.txt``: the Markdown export is the
text for people.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotator.errors import InputError
from annotator.models import Chunk

WORDS_PER_SECOND = 2.5  # ~150 words a minute, conversational pace
MIN_LINE_SECONDS = 0.8
GAP_SECONDS = 0.4  # between two synthesised .txt lines

_SPEAKER = re.compile(r"^(?P<name>[^\W\d_][\w.'’\- ]{0,39}?)\s*:\s+(?P<text>\S.*)$")


def split_speaker(line: str) -> tuple[str, str]:
    """``"Name: text"`` -> ``("Name", "text")``; anything else -> ``("", line)``.

    A prefix is a name only if it is short (at most 40 characters, 4 words)
    and starts with a letter, so "10:30" or a sentence with a colon is text.
    (SRT and VTT cues without a voice use it too.)
    """
    m = _SPEAKER.match(line)
    if m is None:
        return "", line
    name = m.group("name").strip()
    if len(name.split()) > 4:
        return "", line
    return name, m.group("text").strip()


_LINE_TIME = re.compile(r"^[\[(]\s*(?P<ts>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*[\])]\s*(?P<rest>.*)$")


def parse_txt(text: str, path: Path) -> list[Chunk]:
    """One chunk per non-empty line, an optional ``Speaker:`` prefix naming
    its speaker. A line may start with its time in brackets (``[01:02]``,
    ``(1:02:03.5)``), which is then its start; other lines are timed from
    their word count (~150 words a minute) after the line before."""
    chunks: list[Chunk] = []
    t = 0.0
    for number, raw_line in enumerate(text.split("\n"), 1):
        line = raw_line.strip()
        if not line:
            continue
        given: float | None = None
        m = _LINE_TIME.match(line)
        if m is not None:
            try:
                given = _clock_seconds(m.group("ts"))
            except ValueError as err:
                raise InputError(
                    f"{path}:{number}: bad time {m.group('ts')!r} at the start of the line: {err}"
                ) from err
            if chunks and given < chunks[-1].start:
                raise InputError(
                    f"{path}:{number}: time {m.group('ts')} is earlier than the line before "
                    f"(lines must be in time order)"
                )
            line = m.group("rest").strip()
            if not line:
                continue
        source, body = split_speaker(line)
        duration = max(MIN_LINE_SECONDS, len(body.split()) / WORDS_PER_SECOND)
        if given is not None:
            start = given
            if chunks and chunks[-1].end > given:  # the line before ends where this one starts
                prev = chunks[-1]
                chunks[-1] = Chunk(prev.id, prev.source, prev.start, round(given, 3), prev.text)
        else:
            start = t
        end = round(start + duration, 3)
        chunks.append(Chunk(len(chunks) + 1, source, round(start, 3), end, body))
        t = end + GAP_SECONDS
    if not chunks:
        raise InputError(f"{path}: is empty")
    return chunks


def _clock_seconds(text: str) -> float:
    """``"1:02:03.5"`` / ``"02:03"`` -> seconds."""
    main, _, frac = text.replace(",", ".").partition(".")
    parts = [int(p) for p in main.split(":")]
    if any(p >= 60 for p in parts[1:]):
        raise ValueError("minutes and seconds must be below 60")
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)
