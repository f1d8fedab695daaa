"""Readers: what a replay or a headless analysis can be fed from a file.

``kind_of(path)`` tells callers which reader applies, by extension:

- ``"session"``: a session journal (``.jsonl``) or a JSON export of one
  (``.json``); ``read_session`` gives the whole record, ``read_chunks`` its
  stored chunks.
- ``"transcript"``: ``.txt`` (one chunk per non-empty line, optional
  ``Speaker:`` prefix, optional leading ``[mm:ss]`` time; other lines are
  timed at ~150 words a minute so a replay at real time is paced like
  speech), ``.srt`` and ``.vtt`` (one chunk per cue, times from the cue,
  speaker from ``<v Name>`` or a ``Speaker:`` prefix, formatting tags
  dropped, entities decoded). Transcript chunks are numbered from 1.
- ``"audio"``: the listed audio extensions, and any other file that is not
  text; not read here (``annotator.transcription.files`` transcribes it).

``read_record(path)`` gives a ``SessionRecord`` for a session or a transcript
alike (a transcript becomes a record holding only its chunks).

Every malformed input raises ``InputError`` with one sentence naming the file
and, where there is one, the line: a missing or empty file, a binary file,
text that is not UTF-8 (or UTF-16 with a byte-order mark), a line longer than
``MAX_LINE_CHARS``, a bad or backwards timestamp, a journal from a newer
format version. A torn last line of a journal is not an error: it is skipped
and reported in ``SessionRecord.warnings``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from annotator.analysis.review_model import Review
from annotator.audio.suffixes import KNOWN_AUDIO_SUFFIXES
from annotator.errors import InputError
from annotator.input_file import read_input_bytes
from annotator.journal.reader import read_journal
from annotator.journal.record import EXPORT_FORMAT, SessionEvent, SessionRecord, check_version
from annotator.models import Analysis, Chunk, Mark

Kind = Literal["session", "transcript", "audio"]

SESSION_SUFFIXES = frozenset({".jsonl", ".json"})
TRANSCRIPT_SUFFIXES = frozenset({".txt", ".srt", ".vtt"})

MAX_LINE_CHARS = 50_000
"""Longest transcript line (or cue line) accepted: ~8,000 words, far beyond
any real utterance; a longer one means the file is not a transcript."""

MAX_FILE_BYTES = 256 * 1024 * 1024

WORDS_PER_SECOND = 2.5  # ~150 words a minute, conversational pace
MIN_LINE_SECONDS = 0.8
GAP_SECONDS = 0.4  # between two synthesised .txt lines


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
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, not a file") from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from err
    if _looks_like_text(head):
        raise InputError(
            f"{path}: unknown file type {suffix or '(no extension)'!r}; transcripts are read from .txt, .srt "
            "or .vtt files and sessions from .jsonl (or their .json export)"
        )
    return "audio"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(head) - 3 and err.reason == "unexpected end of data"
    return True


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
        text = read_text(path, max_line=None)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from err
        return session_record_from_export(data, path)
    return read_journal(path)


def session_record_from_export(data: Any, path: Path) -> SessionRecord:
    """Rebuild a record from ``SessionRecord.to_dict()`` output (a JSON export)."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InputError(f'{path}: not an annotator session export (no "format": "{EXPORT_FORMAT}")')
    check_version(data.get("version"), path, 1)
    try:
        return SessionRecord(
            header=dict(data.get("header") or {}),
            chunks=tuple(Chunk.from_dict(c) for c in data.get("chunks", ())),
            analyses=tuple(Analysis.from_dict(a) for a in data.get("analyses", ())),
            marks=tuple(Mark.from_dict(m) for m in data.get("marks", ())),
            errors=tuple(str(e) for e in data.get("errors", ())),
            events=tuple(SessionEvent.from_dict(e) for e in data.get("events", ())),
            end_reason=data.get("end_reason"),
            path=path,
            reviews=tuple(Review.from_dict(r) for r in data.get("reviews", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(f"{path}: malformed session export ({type(err).__name__}: {err})") from err


# --------------------------------------------------------------------------- text


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


# --------------------------------------------------------------------------- .txt

_SPEAKER = re.compile(r"^(?P<name>[^\W\d_][\w.'’\- ]{0,39}?)\s*:\s+(?P<text>\S.*)$")


def split_speaker(line: str) -> tuple[str, str]:
    """``"Name: text"`` -> ``("Name", "text")``; anything else -> ``("", line)``.

    A prefix is a name only if it is short (at most 40 characters, 4 words)
    and starts with a letter, so "10:30" or a sentence with a colon is text.
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
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
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


# --------------------------------------------------------------------------- .srt / .vtt

_TS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:\s+.*)?$")
_FORMAT_TAGS = re.compile(r"</?(?:i|b|u|s|font|c|lang|ruby|rt|span)(?:[.\s][^<>]*)?>|<\d[\d:.]*>", re.I)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.I)
_VOICE_END = re.compile(r"</v\s*>", re.I)
_SRT_POSITION = re.compile(r"\{\\[^}]*\}")  # {\an8} and friends


def _seconds(groups: tuple[str | None, ...]) -> float:
    h, m, s, ms = groups
    minutes, seconds = int(m or 0), int(s or 0)
    if minutes >= 60 or seconds >= 60:
        raise ValueError("minutes and seconds must be below 60")
    millis = int((ms or "0").ljust(3, "0"))
    return int(h or 0) * 3600 + minutes * 60 + seconds + millis / 1000


def _parse_timing(line: str, path: Path, number: int) -> tuple[float, float]:
    m = _TIMING.match(line)
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


@dataclass
class _Cue:
    line: int
    start: float
    end: float
    lines: list[str]


def _cue_chunk(cue: _Cue, index: int, *, vtt: bool) -> Chunk | None:
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


def parse_srt(text: str, path: Path) -> list[Chunk]:
    """SubRip: ``index``, ``start --> end``, text lines, blank line; one chunk per cue."""
    lines = text.split("\n")
    cues: list[_Cue] = []
    current: _Cue | None = None
    for i, line in enumerate(lines):
        number = i + 1
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        if _TIMING.match(stripped) or ("-->" in stripped and current is None):
            start, end = _parse_timing(stripped, path, number)
            current = _Cue(number, start, end, [])
            cues.append(current)
            continue
        if current is None:
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if stripped.isdigit() and "-->" in following:
                continue  # the cue's index
            raise InputError(f"{path}:{number}: expected a cue number or timing, found {stripped[:60]!r}")
        current.lines.append(stripped)
    return _chunks_from_cues(cues, path, vtt=False)


def parse_vtt(text: str, path: Path) -> list[Chunk]:
    """WebVTT: the ``WEBVTT`` line, then blocks; cues become chunks, NOTE/STYLE/REGION are skipped."""
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise InputError(f"{path}:1: not a WebVTT file (the first line must start with WEBVTT)")
    cues: list[_Cue] = []
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
        start, end = _parse_timing(block[timing_at], path, number)
        payload = block[timing_at + 1 :]
        for k, extra in enumerate(payload):
            if "-->" in extra:
                raise InputError(f"{path}:{number + 1 + k}: '-->' inside cue text (missing blank line?)")
        cues.append(_Cue(number, start, end, payload))
    return _chunks_from_cues(cues, path, vtt=True)


def _chunks_from_cues(cues: list[_Cue], path: Path, *, vtt: bool) -> list[Chunk]:
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


def read_record(path: Path) -> SessionRecord:
    """A session file as itself, or a transcript as a session holding only its
    chunks (no header, no analyses), so export and replay treat both alike."""
    path = Path(path)
    if kind_of(path) == "session":
        return read_session(path)
    return SessionRecord(header={}, chunks=tuple(read_chunks(path)), path=path)
