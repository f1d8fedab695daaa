"""WebVTT subtitles (``.vtt``), read and written: one cue per chunk.

Written: the speaker as ``<v Name>``, text escaped; the user's marks as
``NOTE`` blocks after the cue of their line (players and our reader skip them,
people reading the file see them). Read: the ``WEBVTT`` line, then blocks;
cues (with or without an identifier) become chunks, ``NOTE``, ``STYLE`` and
``REGION`` blocks are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from annotator.errors import InputError
from annotator.formats.cues import Cue, chunks_from_cues, cue_time, escape, one_line, parse_timing
from annotator.models import Chunk, Mark


def to_vtt(chunks: Sequence[Chunk], marks: Sequence[Mark] = ()) -> str:
    """WebVTT cues; each of the user's ``marks`` is a ``NOTE`` after the cue of its
    line (players and readers skip notes, people reading the file see them)."""
    by_chunk: dict[int | None, list[Mark]] = {}
    known = {c.id for c in chunks}
    for m in sorted(marks, key=lambda m: m.at):
        by_chunk.setdefault(m.chunk_id if m.chunk_id in known else None, []).append(m)
    cues = ["WEBVTT\n"]
    for n, c in enumerate(chunks, 1):
        text = escape(one_line(c.text))
        if c.who:
            text = f"<v {escape(one_line(c.who))}>{text}</v>"
        cues.append(f"{n}\n{cue_time(c.start, '.')} --> {cue_time(c.end, '.')}\n{text}\n")
        cues += [_note(m) for m in by_chunk.get(c.id, ())]
    cues += [_note(m) for m in by_chunk.get(None, ())]
    return "\n".join(cues)


def _note(mark: Mark) -> str:
    kind = "Flag" if mark.kind == "flag" else "Bookmark" if mark.kind == "bookmark" else one_line(mark.kind)
    note = f": {one_line(mark.note)}" if mark.note else ""
    return f"NOTE {kind} at {cue_time(mark.at, '.')}{note}".replace("-->", "->") + "\n"


def parse_vtt(text: str, path: Path) -> list[Chunk]:
    """WebVTT: the ``WEBVTT`` line, then blocks; cues become chunks, NOTE/STYLE/REGION are skipped."""
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise InputError(f"{path}:1: not a WebVTT file (the first line must start with WEBVTT)")
    cues: list[Cue] = []
    i = 1
    # header lines up to the first blank line
    while i < len(lines) and lines[i].strip():
        i += 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        block: list[str] = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i])
            i += 1
        first = block[0].strip()
        if first.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in first:
            continue
        if "-->" in first:
            timing_at = 0
        elif len(block) > 1 and "-->" in block[1]:
            timing_at = 1  # the cue identifier comes first
        else:
            raise InputError(f"{path}:{block_start + 1}: expected a cue timing, found {first[:60]!r}")
        number = block_start + timing_at + 1
        start, end = parse_timing(block[timing_at], path, number)
        payload = block[timing_at + 1 :]
        for k, extra in enumerate(payload):
            if "-->" in extra:
                raise InputError(f"{path}:{number + 1 + k}: '-->' inside cue text (missing blank line?)")
        cues.append(Cue(number, start, end, payload))
    return chunks_from_cues(cues, path, vtt=True)
