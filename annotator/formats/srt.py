"""SubRip subtitles (``.srt``), read and written: one cue per chunk.

Written: the speaker as a ``Name: `` prefix, text escaped (``&lt;`` ``&gt;``
``&amp;``), since players render ``<b>``, ``<i>``, ``<font>`` in SRT. SRT has
no comments: its cues are the transcript alone. Read: ``index``,
``start --> end``, text lines, blank line; times, speakers and texts come back
as written (to the millisecond).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from annotator.errors import InputError
from annotator.formats.cues import TIMING, Cue, chunks_from_cues, cue_time, escape, one_line, parse_timing
from annotator.models import Chunk


def to_srt(chunks: Sequence[Chunk]) -> str:
    """SubRip cues. Players render ``<b>``, ``<i>``, ``<font>`` in SRT and decode
    ``&lt;``/``&gt;``/``&amp;``, so the text is escaped as for VTT: markup in a
    transcript is shown literally (and reads back unchanged)."""
    cues = []
    for n, c in enumerate(chunks, 1):
        text = escape(one_line(c.text))
        if c.who:
            text = f"{escape(one_line(c.who))}: {text}"
        cues.append(f"{n}\n{cue_time(c.start, ',')} --> {cue_time(c.end, ',')}\n{text}\n")
    return "\n".join(cues)


def parse_srt(text: str, path: Path) -> list[Chunk]:
    """SubRip: ``index``, ``start --> end``, text lines, blank line; one chunk per cue."""
    lines = text.split("\n")
    cues: list[Cue] = []
    current: Cue | None = None
    for i, line in enumerate(lines):
        number = i + 1
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        if TIMING.match(stripped) or ("-->" in stripped and current is None):
            start, end = parse_timing(stripped, path, number)
            current = Cue(number, start, end, [])
            cues.append(current)
            continue
        if current is None:
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if stripped.isdigit() and "-->" in following:
                continue  # the cue's index
            raise InputError(f"{path}:{number}: expected a cue number or timing, found {stripped[:60]!r}")
        current.lines.append(stripped)
    return chunks_from_cues(cues, path, vtt=False)
