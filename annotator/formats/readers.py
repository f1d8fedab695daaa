"""Which format module reads a file, by its suffix; ``formats.writers`` is the other way.

``kind_of(path)`` tells callers which reader applies:

- ``"session"``: a session journal (``.jsonl``, ``journal.reader``) or a
  JSON export of one (``.json``, ``formats.json``); ``read_session`` gives the
  whole record, ``read_chunks`` its stored chunks.
- ``"transcript"``: ``.txt``, ``.srt`` and ``.vtt`` (``formats.txt``,
  ``formats.srt``, ``formats.vtt``); chunks numbered from 1.
- ``"audio"``: the listed audio extensions, and any other file that is not
  text; not read here (``annotator.transcription.files`` transcribes it).

``read_record(path)`` gives a ``SessionRecord`` for a session or a transcript
alike (a transcript becomes a record holding only its chunks).

Every malformed input raises ``InputError`` with one sentence naming the file
and, where there is one, the line (``formats.textfile``); a file of a type we do
not read says which types we do. A torn last line of a journal is not an
error: it is skipped and reported in ``SessionRecord.warnings``.

What ``formats.writers`` writes in SRT, VTT and JSON reads back through
``read_chunks`` (JSON through ``read_session`` as the whole record): the same
texts, speakers and times (to the millisecond). Reading pulls in no HTTP
client and no Qt (the Markdown writer needs the review module; no reader does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from annotator.audio.suffixes import KNOWN_AUDIO_SUFFIXES
from annotator.errors import InputError
from annotator.formats.json import read_json
from annotator.formats.srt import parse_srt
from annotator.formats.textfile import looks_like_text, read_text
from annotator.formats.txt import parse_txt
from annotator.formats.vtt import parse_vtt
from annotator.input_file import readable
from annotator.journal.reader import read_journal
from annotator.journal.record import SessionRecord
from annotator.models import Chunk

Kind = Literal["session", "transcript", "audio"]

SESSION_SUFFIXES = frozenset({".jsonl", ".json"})
TRANSCRIPT_SUFFIXES = frozenset({".txt", ".srt", ".vtt"})


def kind_of(path: Path) -> Kind:
    """Which reader a file needs, by its extension (case-insensitive).

    An unknown extension is taken for audio (the decoder knows more formats
    than we list) unless the file starts like text, which is an
    ``InputError`` naming the transcript types we read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SESSION_SUFFIXES:
        return "session"
    if suffix in TRANSCRIPT_SUFFIXES:
        return "transcript"
    if suffix in KNOWN_AUDIO_SUFFIXES:
        return "audio"
    with readable(path, "a file"), path.open("rb") as f:
        head = f.read(4096)
    if looks_like_text(head):
        raise InputError(
            f"{path}: unknown file type {suffix or '(no extension)'!r}; transcripts are read from .txt, .srt "
            "or .vtt files and sessions from .jsonl (or their .json export)"
        )
    return "audio"


def read_chunks(path: Path) -> list[Chunk]:
    """The chunks of a transcript or session file, in order (ids from 1 for transcripts)."""
    path = Path(path)
    kind = kind_of(path)
    if kind == "audio":
        raise InputError(f"{path}: is an audio file; it has to be transcribed, not read as text")
    if kind == "session":
        return list(read_session(path).chunks)
    suffix = path.suffix.lower()
    text = read_text(path)
    if suffix == ".srt":
        return parse_srt(text, path)
    if suffix == ".vtt":
        return parse_vtt(text, path)
    return parse_txt(text, path)


def read_session(path: Path) -> SessionRecord:
    """A session journal (``.jsonl``, tolerant of a torn last line) or a JSON export (``.json``)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return read_json(path)
    return read_journal(path)


def read_record(path: Path) -> SessionRecord:
    """A session file as itself, or a transcript as a session holding only its
    chunks (no header, no analyses), so export and replay treat both alike."""
    path = Path(path)
    if kind_of(path) == "session":
        return read_session(path)
    return SessionRecord(header={}, chunks=tuple(read_chunks(path)), path=path)
