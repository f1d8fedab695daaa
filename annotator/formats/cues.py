"""What SRT and VTT share: cue times, cue text and its escaping.

Written: a cue time is ``00:01:15,400`` (SRT) or ``00:01:15.400`` (VTT), the
text one line with ``&``, ``<`` and ``>`` escaped (players render ``<b>`` or
``<font>`` from a transcript otherwise). Read: a timing line gives the cue's
start and end, and a cue's lines become one chunk with its speaker (from
``<v Name>`` or a ``Speaker:`` prefix), formatting tags dropped and entities
decoded.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import InputError
from annotator.formats.txt import split_speaker
from annotator.models import Chunk

# --------------------------------------------------------------------------- writing


def cue_time(seconds: float, sep: str) -> str:
    """``75.4`` -> ``"00:01:15,400"`` with ``sep=","`` (SRT) or ``"00:01:15.400"`` with ``"."`` (VTT)."""
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- reading

_TS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:\s+.*)?$")
_FORMAT_TAGS = re.compile(r"</?(?:i|b|u|s|font|c|lang|ruby|rt|span)(?:[.\s][^<>]*)?>|<\d[\d:.]*>", re.IGNORECASE)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
_VOICE_END = re.compile(r"</v\s*>", re.IGNORECASE)
_SRT_POSITION = re.compile(r"\{\\[^}]*\}")  # {\an8} and friends


@dataclass
class Cue:
    line: int
    start: float
    end: float
    lines: list[str]


def _seconds(groups: tuple[str | None, ...]) -> float:
    h, m, s, ms = groups
    minutes, seconds = int(m or 0), int(s or 0)
    if minutes >= 60 or seconds >= 60:
        raise ValueError("minutes and seconds must be below 60")
    millis = int((ms or "0").ljust(3, "0"))
    return int(h or 0) * 3600 + minutes * 60 + seconds + millis / 1000


def parse_timing(line: str, path: Path, number: int) -> tuple[float, float]:
    """A cue's ``start --> end`` line as seconds; a bad one names the file and line."""
    m = TIMING.match(line)
    if m is None:
        raise InputError(
            f"{path}:{number}: bad cue timing {line.strip()[:80]!r}; expected e.g. 00:00:01,000 --> 00:00:04,500"
        )
    g = m.groups()
    try:
        start, end = _seconds(g[0:4]), _seconds(g[4:8])
    except ValueError as err:
        raise InputError(f"{path}:{number}: bad cue timing {line.strip()[:80]!r}: {err}") from err
    if end < start:
        raise InputError(f"{path}:{number}: cue ends before it starts ({line.strip()[:80]!r})")
    return round(start, 3), round(end, 3)


def _cue_chunk(cue: Cue, index: int, *, vtt: bool) -> Chunk | None:
    raw = " ".join(s.strip() for s in cue.lines if s.strip())
    source = ""
    voice = _VOICE.search(raw)
    if voice is not None:
        source = html.unescape((voice.group(1) or "").strip())
    raw = _VOICE_END.sub("", _VOICE.sub("", raw))
    raw = _FORMAT_TAGS.sub("", raw)
    if not vtt:
        raw = _SRT_POSITION.sub("", raw)
    text = html.unescape(raw)  # SRT as players read it: entities decoded (our SRT export escapes markup)
    text = " ".join(text.split())
    if not source:
        source, text = split_speaker(text)
    if not text:
        return None
    return Chunk(index, source, cue.start, cue.end, text)


def chunks_from_cues(cues: list[Cue], path: Path, *, vtt: bool) -> list[Chunk]:
    """One chunk per cue that has text, numbered from 1."""
    if not cues:
        raise InputError(f"{path}: contains no cues")
    chunks: list[Chunk] = []
    for cue in cues:
        chunk = _cue_chunk(cue, len(chunks) + 1, vtt=vtt)
        if chunk is not None:
            chunks.append(chunk)
    if not chunks:
        raise InputError(f"{path}: every cue is empty")
    return chunks
