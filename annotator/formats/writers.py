"""Which format module writes an export, by its name; ``formats.readers`` is the other way.

``export(record, fmt)`` returns the session as text in one of ``FORMATS``:
``md`` (``formats.markdown``, for people), ``json`` (``formats.json``, for
programs), ``srt`` and ``vtt`` (``formats.srt``, ``formats.vtt``, for video
tools). md, srt and vtt show lines (``text.lines``: a sentence's fragments joined);
json keeps every chunk as journaled. ``write_export(path, text)`` saves one, for the command line and the
window alike: atomically, readable only by the user, ``InputError`` naming the
file when it cannot.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from annotator import paths
from annotator.errors import InputError
from annotator.formats.json import to_json
from annotator.formats.markdown import to_markdown
from annotator.formats.srt import to_srt
from annotator.formats.vtt import to_vtt
from annotator.journal.record import SessionRecord
from annotator.text.lines import join_lines, line_chunks

Format = Literal["md", "json", "srt", "vtt"]
FORMATS: tuple[Format, ...] = ("md", "json", "srt", "vtt")


def export(record: SessionRecord, fmt: str) -> str:
    """The session as text in ``fmt`` ("md", "json", "srt" or "vtt")."""
    if fmt == "md":
        return to_markdown(record)
    if fmt == "json":
        return to_json(record)
    if fmt == "srt":
        return to_srt(line_chunks(record.chunks))
    if fmt == "vtt":
        lines = join_lines(record.chunks)
        first: dict[int | None, int] = {cid: line.first.id for line in lines for cid in line.ids}
        marks = [replace(m, chunk_id=first.get(m.chunk_id, m.chunk_id)) for m in record.marks]  # with its line
        return to_vtt([line.as_chunk() for line in lines], marks)
    raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_export(path: Path, text: str) -> Path:
    """Save an export to ``path`` (blocking): through a temporary file renamed into
    place, so a failed write leaves no half file and an older export whole; 0600, as
    the journal it comes from. ``InputError`` with one sentence naming the file."""
    try:
        paths.write_private_text(path, text)
    except OSError as err:
        raise InputError(f"{path}: cannot write the export ({err.strerror or err})") from err
    return path
